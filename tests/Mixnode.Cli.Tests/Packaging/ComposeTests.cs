namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// config/compose/: the nodes start only after the init step has generated the network, each with its own volume,
/// a healthcheck, time to drain, and a name that is its service name (the address the network document lists).
/// </summary>
public sealed class ComposeTests
{
    private static readonly Lazy<YamlMap> s_compose = new(() => YamlDocuments.LoadSingle(PackagingFiles.Config("compose", "compose.yaml")));

    private static YamlMap Services => s_compose.Value.RequireMap("services");

    /// <summary>The relay services: those that give the node a name.</summary>
    private static IEnumerable<(string Name, YamlMap Service)> Nodes() =>
        Services.Entries
            .Where(e => e.Value is YamlMap service && service.Map("environment")?.Contains("MIXNODE__NAME") == true)
            .Select(e => (e.Key, (YamlMap)e.Value!));

    [Fact]
    public void Every_yaml_file_in_config_compose_parses()
    {
        Assert.All(PackagingFiles.YamlFiles("compose"), file => Assert.NotEmpty(YamlDocuments.Load(file)));
    }

    [Fact]
    public void Every_node_depends_on_the_init_step_completing()
    {
        Assert.True(Nodes().Count() >= 3, "fewer than three node services");
        foreach ((string name, YamlMap service) in Nodes())
        {
            YamlMap dependsOn = service.Map("depends_on") ?? throw new Xunit.Sdk.XunitException($"{name}: no depends_on (long form)");
            Assert.Equal("service_completed_successfully", dependsOn.Map("init")?.Text("condition"));
        }
    }

    [Fact]
    public void Init_generates_exactly_the_node_services_into_their_volumes()
    {
        YamlMap init = Services.RequireMap("init");
        string[] listed = init.RequireMap("environment").RequireText("NODES").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] nodes = [.. Nodes().Select(n => n.Name)];
        Assert.Equal(nodes.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));

        string[] mounts = [.. init.List("volumes").OfType<string>()];
        foreach (string node in nodes)
        {
            Assert.Contains($"{node}:/network/nodes/{node}", mounts);
        }

        Assert.Contains("etc:/network/etc", mounts);
        Assert.Contains("authority:/network/authority", mounts);

        // The script it runs is the one next to compose.yaml.
        string script = mounts.Single(m => m.StartsWith("./", StringComparison.Ordinal)).Split(':')[0];
        Assert.True(File.Exists(PackagingFiles.Config("compose", script)), $"init mounts {script}, which does not exist");
        Assert.Contains(init.List("entrypoint").OfType<string>(), part => part.EndsWith(Path.GetFileName(script), StringComparison.Ordinal));
        Assert.Equal("no", init.Text("restart"));
    }

    [Fact]
    public void Every_node_has_its_own_state_volume_and_reads_the_shared_settings()
    {
        var declared = s_compose.Value.RequireMap("volumes").Keys.ToHashSet(StringComparer.Ordinal);
        foreach ((string name, YamlMap service) in Nodes())
        {
            Assert.Equal(name, service.RequireMap("environment").Text("MIXNODE__NAME"));
            string[] volumes = [.. service.List("volumes").OfType<string>()];
            Assert.Contains($"{name}:/var/lib/mixnode", volumes);
            Assert.Contains("etc:/etc/mixnode:ro", volumes);
            Assert.DoesNotContain(volumes, v => v.StartsWith("authority:", StringComparison.Ordinal));
            Assert.All(volumes.Where(v => !v.StartsWith('.')), v => Assert.Contains(v.Split(':')[0], declared));
            Assert.Null(service.Get("user"));
        }
    }

    [Fact]
    public void Every_node_has_a_healthcheck_on_the_management_port()
    {
        foreach ((string name, YamlMap service) in Nodes())
        {
            YamlMap healthcheck = service.Map("healthcheck") ?? throw new Xunit.Sdk.XunitException($"{name}: no healthcheck");
            string test = string.Join(" ", healthcheck.List("test").OfType<string>());
            Assert.Contains($"/dev/tcp/127.0.0.1/{PackagingFiles.ManagementPort}", test, StringComparison.Ordinal);
            Assert.True(test.Contains(PackagingFiles.ReadyPath, StringComparison.Ordinal) || test.Contains(PackagingFiles.LivePath, StringComparison.Ordinal), $"{name}: healthcheck asks neither health path");

            // Compose substitutes $VAR in the file: the shell's own variables must be written $$.
            Assert.DoesNotMatch(@"(?<!\$)\$[a-z_]", test);
        }
    }

    [Fact]
    public void Every_node_gets_longer_to_stop_than_the_node_takes_to_drain()
    {
        foreach ((string name, YamlMap service) in Nodes())
        {
            string grace = service.Text("stop_grace_period") ?? "10s";
            Assert.True(PackagingFiles.ParseDuration(grace) > PackagingFiles.NodeShutdownTimeout, $"{name}: stop_grace_period {grace}");
        }
    }

    [Fact]
    public void Nodes_run_hardened()
    {
        foreach ((string name, YamlMap service) in Nodes())
        {
            Assert.Equal("true", service.Text("read_only"));
            Assert.Contains("ALL", service.List("cap_drop").OfType<string>());
            Assert.Contains("no-new-privileges:true", service.List("security_opt").OfType<string>());
        }
    }

    [Fact]
    public void Prometheus_scrapes_every_node_with_the_mounted_configuration()
    {
        YamlMap prometheus = Services.RequireMap("prometheus");
        string mount = prometheus.List("volumes").OfType<string>().Single(v => v.EndsWith("prometheus.yml:ro", StringComparison.Ordinal));
        string source = Path.GetFullPath(Path.Combine(PackagingFiles.Config("compose"), mount.Split(':')[0]));
        Assert.Equal(PackagingFiles.Config("prometheus", "prometheus.yml"), source);

        string[] targets = [.. YamlDocuments.LoadSingle(source).Maps("scrape_configs")
            .SelectMany(c => c.Maps("static_configs"))
            .SelectMany(s => s.List("targets").OfType<string>())];
        Assert.Equal(
            Nodes().Select(n => $"{n.Name}:{PackagingFiles.ManagementPort}").Order(StringComparer.Ordinal),
            targets.Order(StringComparer.Ordinal));
    }
}
