using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Hosting;
using Mixnode.Cli.Run;
using Mixnode.Node;
using Mixnode.Pki;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// config/compose/compose.authorities.yaml: three directory authorities and the nodes that follow them. Every service
/// starts after the init step, nodes after the authorities; nodes have the fixed addresses init writes into their
/// descriptors; every mounted file exists and its settings are ones the programs have; commands are real
/// invocations; everything runs as hardened as the nodes of compose.yaml. init-authorities.sh itself is run for real.
/// </summary>
public sealed class ComposeAuthoritiesTests : IDisposable
{
    private const string ComposeFile = "compose.authorities.yaml";

    private static readonly Lazy<YamlMap> s_compose = new(() => YamlDocuments.LoadSingle(PackagingFiles.Config("compose", ComposeFile)));

    private readonly string _directory = Directory.CreateTempSubdirectory("mixnode-compose-authorities-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static YamlMap Services => s_compose.Value.RequireMap("services");

    private static YamlMap Init => Services.RequireMap("init");

    private static IEnumerable<(string Name, YamlMap Service)> WithEnvironment(string variable) =>
        Services.Entries
            .Where(e => e.Value is YamlMap service && service.Map("environment")?.Contains(variable) == true)
            .Select(e => (e.Key, (YamlMap)e.Value!));

    private static IEnumerable<(string Name, YamlMap Service)> Nodes() => WithEnvironment("MIXNODE__NAME");

    private static IEnumerable<(string Name, YamlMap Service)> Authorities() => WithEnvironment("MIXNODE__AUTHORITY__NAME");

    private static IEnumerable<(string Name, YamlMap Service)> All() => Nodes().Concat(Authorities());

    /// <summary>init's NODES: service → fixed IPv4 address.</summary>
    private static IReadOnlyDictionary<string, string> NodeAddresses() =>
        Init.RequireMap("environment").RequireText("NODES").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('='))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>The repository file a service mounts at <paramref name="target"/> (a ./ bind mount), or null.</summary>
    private static string? MountedFile(YamlMap service, string target) =>
        service.List("volumes").OfType<string>()
            .Select(v => v.Split(':'))
            .Where(p => p[0].StartsWith('.') && p[1] == target)
            .Select(p => Path.GetFullPath(Path.Combine(PackagingFiles.Config("compose"), p[0])))
            .SingleOrDefault();

    /// <summary>The named volume a service mounts at <paramref name="target"/>, or null.</summary>
    private static string? MountedVolume(YamlMap service, string target) =>
        service.List("volumes").OfType<string>()
            .Select(v => v.Split(':'))
            .Where(p => !p[0].StartsWith('.') && p[1] == target)
            .Select(p => p[0])
            .SingleOrDefault();

    [Fact]
    public void There_are_three_authorities_and_a_node_per_role_and_layer()
    {
        Assert.Equal(["auth-0", "auth-1", "auth-2"], Authorities().Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Contains(Nodes(), n => n.Name.StartsWith("provider-", StringComparison.Ordinal));
        Assert.Contains(Nodes(), n => n.Name == "mix-0-0");
        foreach ((string name, YamlMap service) in All())
        {
            Assert.Equal(name, service.RequireMap("environment").Text(service.RequireMap("environment").Contains("MIXNODE__NAME") ? "MIXNODE__NAME" : "MIXNODE__AUTHORITY__NAME"));
        }
    }

    [Fact]
    public void Authorities_start_after_init_and_nodes_after_init_and_every_authority()
    {
        foreach ((string name, YamlMap service) in All())
        {
            YamlMap dependsOn = service.Map("depends_on") ?? throw new Xunit.Sdk.XunitException($"{name}: no depends_on (long form)");
            Assert.Equal("service_completed_successfully", dependsOn.Map("init")?.Text("condition"));
        }

        // Started, not healthy: an authority is ready only with a consensus, which needs the nodes' uploads.
        foreach ((string name, YamlMap service) in Nodes())
        {
            YamlMap dependsOn = service.RequireMap("depends_on");
            Assert.All(Authorities(), a => Assert.Equal("service_started", dependsOn.Map(a.Name)?.Text("condition")));
        }
    }

    [Fact]
    public void Init_generates_into_every_volume_of_every_service()
    {
        string[] listedAuthorities = Init.RequireMap("environment").RequireText("AUTHORITIES").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Authorities().Select(a => a.Name).Order(StringComparer.Ordinal), listedAuthorities.Order(StringComparer.Ordinal));
        Assert.Equal(Nodes().Select(n => n.Name).Order(StringComparer.Ordinal), NodeAddresses().Keys.Order(StringComparer.Ordinal));

        string[] mounts = [.. Init.List("volumes").OfType<string>()];
        Assert.All(Authorities(), a => Assert.Contains($"{a.Name}:/network/authorities/{a.Name}", mounts));
        Assert.All(Nodes(), n => Assert.Contains($"{n.Name}:/network/nodes/{n.Name}", mounts));
        Assert.Contains("directory:/network/directory", mounts);

        string script = mounts.Single(m => m.StartsWith("./", StringComparison.Ordinal)).Split(':')[0];
        Assert.True(File.Exists(PackagingFiles.Config("compose", script)), $"init mounts {script}, which does not exist");
        Assert.Equal(["/bin/sh", "/init/" + Path.GetFileName(script)], Init.List("entrypoint").OfType<string>());
        Assert.Equal("no", Init.Text("restart"));
    }

    [Fact]
    public void Every_service_has_its_own_state_volume_and_every_mount_exists()
    {
        var declared = s_compose.Value.RequireMap("volumes").Keys.ToHashSet(StringComparer.Ordinal);
        foreach ((string name, YamlMap service) in All())
        {
            Assert.Equal(name, MountedVolume(service, "/var/lib/mixnode"));
            Assert.Equal("directory", MountedVolume(service, "/etc/mixnode-directory"));
            string[] volumes = [.. service.List("volumes").OfType<string>()];
            Assert.All(volumes.Where(v => !v.StartsWith('.')), v => Assert.Contains(v.Split(':')[0], declared));
            Assert.All(volumes.Where(v => v.StartsWith('.')), v =>
            {
                Assert.EndsWith(":ro", v, StringComparison.Ordinal);
                Assert.True(File.Exists(Path.Combine(PackagingFiles.Config("compose"), v.Split(':')[0])), $"{name} mounts {v}, whose file does not exist");
            });
            Assert.EndsWith(":ro", volumes.Single(v => v.StartsWith("directory:", StringComparison.Ordinal)), StringComparison.Ordinal);
        }

        // Every volume is some service's.
        Assert.All(declared, v => Assert.Contains(Init.List("volumes").OfType<string>(), m => m.StartsWith(v + ":", StringComparison.Ordinal)));
    }

    [Fact]
    public void Nodes_have_the_fixed_addresses_init_gives_their_descriptors_inside_the_network()
    {
        YamlMap network = s_compose.Value.RequireMap("networks").RequireMap("mixnet");
        string subnet = network.RequireMap("ipam").Maps("config").Single().RequireText("subnet");
        IPNetwork range = IPNetwork.Parse(subnet);
        IReadOnlyDictionary<string, string> addresses = NodeAddresses();
        foreach ((string name, YamlMap service) in Nodes())
        {
            string address = service.RequireMap("networks").RequireMap("mixnet").RequireText("ipv4_address");
            Assert.Equal(addresses[name], address);
            Assert.True(range.Contains(IPAddress.Parse(address)), $"{name}: {address} is outside {subnet}");
        }

        Assert.Equal(addresses.Count, addresses.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.All(Authorities(), a => Assert.Contains("mixnet", a.Service.List("networks").OfType<string>()));
        Assert.Contains("mixnet", Init.List("networks").OfType<string>());
    }

    [Fact]
    public void Authorities_run_mixnode_authority_with_a_configuration_that_validates()
    {
        foreach ((string name, YamlMap service) in Authorities())
        {
            string[] entrypoint = [.. service.List("entrypoint").OfType<string>()];
            Assert.Equal(["/app/mixnode", "authority", "run", "--config"], entrypoint[..4]);
            Assert.Empty(service.List("command"));
            string file = MountedFile(service, entrypoint[4]) ?? throw new Xunit.Sdk.XunitException($"{name}: {entrypoint[4]} is not mounted from the repository");

            AuthorityOptions options = AuthorityHost.BindOptions(AuthorityHost.ReadConfiguration(file, [$"Mixnode:Authority:Name={name}"]));
            AssertKnownSettings(file, "Mixnode", "Authority", typeof(AuthorityOptions));
            Microsoft.Extensions.Options.ValidateOptionsResult result = new AuthorityOptionsValidator().Validate(null, options);
            Assert.True(result.Succeeded, result.FailureMessage);

            // Its files are where the service mounts them; the API port is the one init writes into authorities.json.
            Assert.StartsWith("/var/lib/mixnode/", options.KeysDirectory, StringComparison.Ordinal);
            Assert.StartsWith("/var/lib/mixnode/", options.StateDirectory, StringComparison.Ordinal);
            Assert.Equal("/etc/mixnode-directory/authorities.json", options.AuthoritiesFile);
            Assert.Equal("/etc/mixnode-directory/nodes.json", options.NodesFile);
            Assert.EndsWith(":31000", options.ListenAddress, StringComparison.Ordinal);
            Assert.Equal($"0.0.0.0:{PackagingFiles.ManagementPort}", options.Management.ListenAddress);

            // Container addresses are private: without this every upload would be refused address_policy.
            Assert.True(options.AllowPrivateAddresses);
            Assert.False(options.AllowLoopbackAddresses);

            // Genesis votes when every listed node has uploaded, or after BootstrapWait: containers start seconds
            // apart, and a node that uploads after the vote is left out of the first document (not ready for an epoch).
            Assert.True(options.BootstrapWait >= TimeSpan.FromSeconds(30), $"BootstrapWait {options.BootstrapWait}");
        }
    }

    [Fact]
    public void Nodes_follow_the_authorities_with_settings_the_node_has()
    {
        foreach ((string name, YamlMap service) in Nodes())
        {
            Assert.Null(service.Get("entrypoint"));
            string file = MountedFile(service, "/etc/mixnode/appsettings.json") ?? throw new Xunit.Sdk.XunitException($"{name}: no appsettings.json mounted");
            AssertKnownSettings(file, "Mixnode", null, typeof(NodeOptions));
            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(file));
            JsonElement mixnode = json.RootElement.GetProperty("Mixnode");
            Assert.Equal("/etc/mixnode-directory/authorities.json", mixnode.GetProperty("AuthoritiesFile").GetString());
            Assert.False(mixnode.TryGetProperty("TopologyPath", out _), "with AuthoritiesFile the node writes TopologyPath: /etc/mixnode is read only");
            Assert.False(mixnode.TryGetProperty("AuthorityPublicKeyPath", out _));
            Assert.Equal($"0.0.0.0:{PackagingFiles.LinkPort}", mixnode.GetProperty("ListenAddress").GetString());
            Assert.Equal($"0.0.0.0:{PackagingFiles.ManagementPort}", mixnode.GetProperty("Management").GetProperty("ListenAddress").GetString());
            Assert.StartsWith("/var/lib/mixnode/", mixnode.GetProperty("KeysDirectory").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("/var/lib/mixnode/", mixnode.GetProperty("StateDirectory").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Authorities_and_nodes_run_as_hardened_as_the_nodes_of_compose_yaml()
    {
        foreach ((string name, YamlMap service) in All())
        {
            Assert.Equal("true", service.Text("read_only"));
            Assert.Contains("ALL", service.List("cap_drop").OfType<string>());
            Assert.Contains("no-new-privileges:true", service.List("security_opt").OfType<string>());
            Assert.Null(service.Get("user"));
            Assert.Null(service.Get("privileged"));
            Assert.True(PackagingFiles.ParseDuration(service.Text("stop_grace_period") ?? "10s") > PackagingFiles.NodeShutdownTimeout, $"{name}: stop_grace_period");

            YamlMap healthcheck = service.Map("healthcheck") ?? throw new Xunit.Sdk.XunitException($"{name}: no healthcheck");
            string test = string.Join(" ", healthcheck.List("test").OfType<string>());
            Assert.Contains($"/dev/tcp/127.0.0.1/{PackagingFiles.ManagementPort}", test, StringComparison.Ordinal);
            Assert.Contains(PackagingFiles.ReadyPath, test, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"(?<!\$)\$[a-z_]", test);
        }
    }

    [Fact]
    public void Prometheus_scrapes_every_node_and_authority()
    {
        YamlMap prometheus = Services.RequireMap("prometheus");
        string source = MountedFile(prometheus, "/etc/prometheus/prometheus.yml") ?? throw new Xunit.Sdk.XunitException("no prometheus.yml mounted");
        Assert.Equal(PackagingFiles.Config("prometheus", "prometheus-authorities.yml"), source);
        string[] targets = [.. YamlDocuments.LoadSingle(source).Maps("scrape_configs")
            .SelectMany(c => c.Maps("static_configs"))
            .SelectMany(s => s.List("targets").OfType<string>())];
        Assert.Equal(
            All().Select(n => $"{n.Name}:{PackagingFiles.ManagementPort}").Order(StringComparer.Ordinal),
            targets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Init_writes_the_lists_the_authorities_and_nodes_read_and_keeps_every_key_on_a_second_run()
    {
        string root = Path.Combine(_directory, "network");
        Directory.CreateDirectory(Path.Combine(root, "directory"));
        foreach ((string name, _) in Authorities())
        {
            Directory.CreateDirectory(Path.Combine(root, "authorities", name));
        }

        foreach ((string name, _) in Nodes())
        {
            Directory.CreateDirectory(Path.Combine(root, "nodes", name));
        }

        (int uidCode, string uid, _) = PackagingFiles.Run("id", ["-u"]);
        (int gidCode, string gid, _) = PackagingFiles.Run("id", ["-g"]);
        Assert.Equal(0, uidCode + gidCode);
        YamlMap environment = Init.RequireMap("environment");
        var variables = new Dictionary<string, string>
        {
            ["ROOT"] = root,
            ["MIXNODE"] = PackagingFiles.WriteMixnodeWrapper(_directory),
            ["AUTHORITIES"] = environment.RequireText("AUTHORITIES"),
            ["NODES"] = environment.RequireText("NODES"),
            ["EPOCHS"] = "4",
            ["NODE_UID"] = uid.Trim(),
            ["NODE_GID"] = gid.Trim(),
        };
        string script = PackagingFiles.Config("compose", "init-authorities.sh");
        (int code, string output, string error) = PackagingFiles.Run("sh", [script], variables);
        Assert.True(code == 0, $"init-authorities.sh exit {code}: {error}\n{output}");

        // authorities.json: what the node and the authority parse, every authority at its service name and API port, a majority.
        string authoritiesFile = Path.Combine(root, "directory", "authorities.json");
        AuthoritySet authorities = AuthoritySet.Read(authoritiesFile);
        Assert.Equal(2, authorities.Threshold);
        Assert.Equal(Authorities().Select(a => $"{a.Name}:31000"), authorities.Authorities.Select(a => a.Address));
        foreach (AuthorityInfo authority in authorities.Authorities)
        {
            string pub = Path.Combine(root, "authorities", authority.Name, "keys", "authority.pub");
            Assert.Equal(authority.PublicKey, Mixnode.Sphinx.Bytes32.From(KeyFile.ReadPublic(pub, KeyType.Ed25519)));
            Assert.True(File.Exists(Path.Combine(root, "authorities", authority.Name, "keys", "authority.key")));
            Assert.True(Directory.Exists(Path.Combine(root, "authorities", authority.Name, "state")));
        }

        // nodes.json: every node's identity key and role, as its descriptor (at its fixed address) says.
        NodeList nodes = NodeList.Read(Path.Combine(root, "directory", "nodes.json"));
        IReadOnlyDictionary<string, string> addresses = NodeAddresses();
        Assert.Equal(addresses.Keys.Order(StringComparer.Ordinal), nodes.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        var policy = new AddressPolicy(AllowLoopback: false, AllowPrivate: true);
        foreach (ListedNode node in nodes.Nodes)
        {
            NodeDescriptor descriptor = NodeDescriptor.Parse(File.ReadAllText(Path.Combine(root, "nodes", node.Name, "keys", "descriptor.json")));
            Assert.Equal(node.IdentityKey, descriptor.IdentityKey);
            Assert.Equal(node.Role, descriptor.Role);
            Assert.Equal($"{addresses[node.Name]}:{PackagingFiles.LinkPort}", descriptor.Addresses[0]);
            Assert.All(descriptor.Addresses, a => Assert.Null(policy.Check(a)));
        }

        // The nodes' configuration, with the generated file where the container mounts it, passes the node's own
        // start-up checks (Bind throws with every failure otherwise), the authorities file's threshold included.
        string settings = MountedFile(Nodes().First().Service, "/etc/mixnode/appsettings.json")!;
        NodeOptions options = StartupConfiguration.Bind(new ConfigurationBuilder().AddJsonFile(settings)
            .AddInMemoryCollection([new("Mixnode:AuthoritiesFile", authoritiesFile), new("Mixnode:Name", Nodes().First().Name)]).Build());
        Assert.Equal(authoritiesFile, options.AuthoritiesFile);

        // Again (every `docker compose up`): the same keys, the same lists.
        string before = File.ReadAllText(authoritiesFile) + File.ReadAllText(Path.Combine(root, "directory", "nodes.json"));
        (code, _, error) = PackagingFiles.Run("sh", [script], variables);
        Assert.True(code == 0, error);
        Assert.Equal(before, File.ReadAllText(authoritiesFile) + File.ReadAllText(Path.Combine(root, "directory", "nodes.json")));
    }

    /// <summary>Every setting in the file's section is a property of the options type (the binder ignores typos silently).</summary>
    private static void AssertKnownSettings(string file, string section, string? subsection, Type options)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(file));
        JsonElement element = json.RootElement.GetProperty(section);
        if (subsection is not null)
        {
            element = element.GetProperty(subsection);
        }

        AssertKnown(element, options, subsection is null ? section : $"{section}:{subsection}");

        static void AssertKnown(JsonElement element, Type type, string path)
        {
            foreach (JsonProperty setting in element.EnumerateObject())
            {
                System.Reflection.PropertyInfo? property = type.GetProperty(setting.Name);
                Assert.True(property is not null, $"{path}:{setting.Name} is no setting ({type.Name})");
                if (setting.Value.ValueKind == JsonValueKind.Object)
                {
                    AssertKnown(setting.Value, property!.PropertyType, path + ":" + setting.Name);
                }
            }
        }
    }
}
