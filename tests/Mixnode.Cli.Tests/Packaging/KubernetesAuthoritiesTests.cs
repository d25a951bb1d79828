using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Hosting;
using Mixnode.Cli.Run;
using Mixnode.Node;
using Mixnode.Pki;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// config/k8s-authorities/: the authorities' StatefulSet runs a real <c>mixnode authority run</c> on settings that
/// validate, with every file it names in a mounted ConfigMap key and every port agreeing with its Service and probes;
/// the nodes' patched settings follow the authorities; make-secrets.sh and install-keys.sh run for real.
/// (KubernetesManifestTests checks the generic invariants — probes, security contexts, resources, selectors,
/// volumes — on these manifests together with config/k8s.)
/// </summary>
public sealed class KubernetesAuthoritiesTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mixnode-k8s-authorities-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Overlay(params string[] parts) => PackagingFiles.Config(["k8s-authorities", .. parts]);

    private static List<YamlMap> Resources() =>
        [.. new[] { "k8s", "k8s-authorities" }
            .SelectMany(folder => YamlDocuments.LoadSingle(PackagingFiles.Config(folder, "kustomization.yaml")).List("resources").OfType<string>()
                .Select(r => PackagingFiles.Config(folder, r))
                .Where(File.Exists))
            .SelectMany(YamlDocuments.Load)];

    private static List<YamlMap> Patches() =>
        [.. YamlDocuments.LoadSingle(Overlay("kustomization.yaml")).Maps("patches").SelectMany(p => YamlDocuments.Load(Overlay(p.RequireText("path"))))];

    /// <summary>A ConfigMap's data as the overlay renders it: the base's keys, the patches' merged over them (null deletes).</summary>
    private static Dictionary<string, string> ConfigMapData(string name)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (YamlMap map in Resources().Concat(Patches()).Where(d => d.Text("kind") == "ConfigMap" && d.At("metadata.name") as string == name))
        {
            foreach ((string key, object? value) in map.RequireMap("data").Entries)
            {
                if (value is string text)
                {
                    data[key] = text;
                }
                else
                {
                    data.Remove(key);
                }
            }
        }

        return data;
    }

    private static YamlMap AuthorityStatefulSet() =>
        Resources().Single(d => d.Text("kind") == "StatefulSet" && d.At("metadata.name") as string == "authority");

    /// <summary>The ConfigMap key a container reads at <paramref name="path"/>, through its volume mounts.</summary>
    private static (string ConfigMap, string Key) MountedKey(YamlMap podSpec, YamlMap container, string path)
    {
        foreach (YamlMap mount in container.Maps("volumeMounts"))
        {
            string directory = mount.RequireText("mountPath").TrimEnd('/') + "/";
            if (path.StartsWith(directory, StringComparison.Ordinal))
            {
                YamlMap volume = podSpec.Maps("volumes").Single(v => v.Text("name") == mount.Text("name"));
                string map = volume.At("configMap.name") as string ?? throw new Xunit.Sdk.XunitException($"{path} is on volume {mount.Text("name")}, which is no ConfigMap");
                return (map, path[directory.Length..]);
            }
        }

        throw new Xunit.Sdk.XunitException($"{path} is on no volume of container {container.Text("name")}");
    }

    [Fact]
    public void Three_authorities_run_mixnode_authority_on_a_configuration_that_validates()
    {
        YamlMap sts = AuthorityStatefulSet();
        Assert.Equal("3", sts.At("spec.replicas"));
        YamlMap pod = (YamlMap)sts.At("spec.template.spec")!;
        YamlMap container = pod.Maps("containers").Single();
        string[] command = [.. container.List("command").OfType<string>()];
        Assert.Equal(["/app/mixnode", "authority", "run", "--config"], command[..4]);
        Assert.Equal(5, command.Length);

        // The configuration file is a key of a mounted ConfigMap, with settings the authority has, that validate.
        (string configMap, string key) = MountedKey(pod, container, command[4]);
        string file = Path.Combine(_directory, key);
        File.WriteAllText(file, ConfigMapData(configMap)[key]);
        AuthorityOptions options = AuthorityHost.BindOptions(AuthorityHost.ReadConfiguration(file, ["Mixnode:Authority:Name=authority-0"]));
        Microsoft.Extensions.Options.ValidateOptionsResult result = new AuthorityOptionsValidator().Validate(null, options);
        Assert.True(result.Succeeded, result.FailureMessage);
        AssertKnownSettings(file, typeof(AuthorityOptions));
        Assert.Contains(container.Maps("env"), e => e.Text("name") == "MIXNODE__AUTHORITY__NAME" && e.At("valueFrom.fieldRef.fieldPath") as string == "metadata.name");

        // Every file it names is a key of a mounted ConfigMap (the authorities file is the nodes' one), or on its claim.
        foreach (string path in new[] { options.AuthoritiesFile, options.NodesFile })
        {
            (string map, string name) = MountedKey(pod, container, path);
            Assert.True(ConfigMapData(map).ContainsKey(name), $"{path}: ConfigMap {map} has no key {name}");
        }

        Assert.Equal(("mixnode-network", "authorities.json"), MountedKey(pod, container, options.AuthoritiesFile));
        string claimMount = container.Maps("volumeMounts").Single(m => m.Text("name") == "state").RequireText("mountPath");
        Assert.StartsWith(claimMount + "/", options.KeysDirectory, StringComparison.Ordinal);
        Assert.StartsWith(claimMount + "/", options.StateDirectory, StringComparison.Ordinal);

        // Ports: the API is the container port the Service targets and authorities.json names; the probes ask the management port.
        string apiPort = options.ListenAddress[(options.ListenAddress.LastIndexOf(':') + 1)..];
        Assert.Contains(container.Maps("ports"), p => p.Text("name") == "api" && p.Text("containerPort") == apiPort);
        YamlMap service = Resources().Single(d => d.Text("kind") == "Service" && d.At("metadata.name") as string == sts.At("spec.serviceName") as string);
        Assert.Contains(service.RequireMap("spec").Maps("ports"), p => p.Text("targetPort") == "api" && p.Text("port") == apiPort);
        Assert.Equal($"0.0.0.0:{PackagingFiles.ManagementPort}", options.Management.ListenAddress);

        // Pod addresses are private: without this every node's upload would be refused address_policy.
        Assert.True(options.AllowPrivateAddresses);

        // Genesis waits for every listed node's upload up to BootstrapWait: pods are scheduled and their volumes
        // provisioned seconds apart; a node that uploads after the vote is left out of the first document.
        Assert.True(options.BootstrapWait >= TimeSpan.FromSeconds(30), $"BootstrapWait {options.BootstrapWait}");

        // The init container's script is a key of a mounted ConfigMap too.
        YamlMap init = pod.Maps("initContainers").Single();
        string script = init.List("command").OfType<string>().Last();
        (string scriptMap, string scriptKey) = MountedKey(pod, init, script);
        Assert.StartsWith("#!/bin/sh", ConfigMapData(scriptMap)[scriptKey], StringComparison.Ordinal);

        // The command line is one the CLI runs: given a missing file it says so (a wrong option would be a setting).
        string missing = Path.Combine(_directory, "missing", "authority.json");
        using var output = new StringWriter();
        Assert.Equal(2, MixnodeCommand.Run([.. command[1..4], missing], output));
        Assert.Contains($"configuration file '{missing}' does not exist", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_nodes_follow_the_authorities_and_wait_at_start_as_long_as_the_node_does()
    {
        Dictionary<string, string> network = ConfigMapData("mixnode-network");
        Assert.DoesNotContain("topology.json", network.Keys);
        Assert.DoesNotContain("authority.pub", network.Keys);
        Assert.Contains("authorities.json", network.Keys);
        Assert.Contains("install-keys.sh", network.Keys);

        string settings = Path.Combine(_directory, "appsettings.json");
        File.WriteAllText(settings, network["appsettings.json"]);
        using (JsonDocument json = JsonDocument.Parse(File.ReadAllText(settings)))
        {
            JsonElement mixnode = json.RootElement.GetProperty("Mixnode");
            AssertKnown(mixnode, typeof(NodeOptions), "Mixnode");
            Assert.Equal("/etc/mixnode/authorities.json", mixnode.GetProperty("AuthoritiesFile").GetString());
            Assert.False(mixnode.TryGetProperty("TopologyPath", out _), "TopologyPath would be written into the read-only ConfigMap volume");
            Assert.Equal($"0.0.0.0:{PackagingFiles.LinkPort}", mixnode.GetProperty("ListenAddress").GetString());
            Assert.Equal($"0.0.0.0:{PackagingFiles.ManagementPort}", mixnode.GetProperty("Management").GetProperty("ListenAddress").GetString());
        }

        // The settings pass the node's start-up checks with a real authorities file in place.
        string authorities = WriteAuthoritiesFile();
        NodeOptions options = StartupConfiguration.Bind(new ConfigurationBuilder().AddJsonFile(settings)
            .AddInMemoryCollection([new("Mixnode:AuthoritiesFile", authorities), new("Mixnode:Name", "mix-0-0")]).Build());

        // /health/live answers only once the first consensus verified: the startup probe must allow StartTimeout.
        foreach (YamlMap sts in Resources().Where(d => d.Text("kind") == "StatefulSet" && d.At("metadata.name") as string != "authority"))
        {
            string name = (string)sts.At("metadata.name")!;
            YamlMap baseProbe = ((YamlMap)sts.At("spec.template.spec")!).Maps("containers").Single().RequireMap("startupProbe");
            YamlMap patch = Patches().Single(p => p.Text("kind") == "StatefulSet" && p.At("metadata.name") as string == name);
            YamlMap patchedProbe = ((YamlMap)patch.At("spec.template.spec")!).Maps("containers").Single(c => c.Text("name") == "mixnode").RequireMap("startupProbe");
            int period = int.Parse(patchedProbe.Text("periodSeconds") ?? baseProbe.RequireText("periodSeconds"), System.Globalization.CultureInfo.InvariantCulture);
            int failures = int.Parse(patchedProbe.Text("failureThreshold") ?? baseProbe.RequireText("failureThreshold"), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(TimeSpan.FromSeconds(period * failures) >= options.Authorities.StartTimeout, $"{name}: startup probe {period} s × {failures} < StartTimeout {options.Authorities.StartTimeout}");

            // install-keys.sh needs the pod's IP to re-sign the descriptor.
            YamlMap init = ((YamlMap)sts.At("spec.template.spec")!).Maps("initContainers").Single();
            Assert.Contains(init.Maps("env"), e => e.Text("name") == "POD_IP" && e.At("valueFrom.fieldRef.fieldPath") as string == "status.podIP");
        }
    }

    [Fact]
    public void Install_keys_puts_the_pod_IP_in_the_descriptor_only_when_following_authorities()
    {
        string script = Path.Combine(_directory, "install-keys.sh");
        File.WriteAllText(script, ConfigMapData("mixnode-network")["install-keys.sh"]);
        string mixnode = PackagingFiles.WriteMixnodeWrapper(_directory);
        string generated = Path.Combine(_directory, "generated");
        (int code, _, string error) = PackagingFiles.Run(mixnode, ["keygen", "--dir", generated, "--name", "provider-0", "--role", "provider",
            "--address", "provider-0.provider.mixnode.svc.cluster.local:30001", "--address", "provider-0.provider.mixnode.svc.cluster.local:30002", "--epochs", "2"]);
        Assert.True(code == 0, error);
        string secret = Path.Combine(_directory, "secrets", "provider-0");
        Directory.CreateDirectory(secret);
        foreach (string file in new[] { "identity.key", "link.key", "descriptor.json" })
        {
            File.Copy(Path.Combine(generated, file), Path.Combine(secret, file));
        }

        foreach (string key in Directory.EnumerateFiles(Path.Combine(generated, "mix")))
        {
            File.Copy(key, Path.Combine(secret, "mix." + Path.GetFileName(key)));
        }

        string config = Path.Combine(_directory, "etc");
        Directory.CreateDirectory(config);
        string Run(string podIp, string state)
        {
            var environment = new Dictionary<string, string>
            {
                ["POD_NAME"] = "provider-0",
                ["POD_IP"] = podIp,
                ["SECRETS"] = Path.Combine(_directory, "secrets"),
                ["STATE"] = Path.Combine(_directory, state),
                ["CONFIG"] = config,
                ["MIXNODE"] = mixnode,
            };
            (int exit, string output, string stderr) = PackagingFiles.Run("sh", [script], environment);
            Assert.True(exit == 0, $"install-keys.sh exit {exit}: {stderr}\n{output}");
            return Path.Combine(_directory, state, "keys", "descriptor.json");
        }

        // The offline document (config/k8s alone): the descriptor is the Secret's.
        Assert.Equal(File.ReadAllText(Path.Combine(secret, "descriptor.json")), File.ReadAllText(Run("10.244.1.7", "offline")));

        // Following authorities: the pod's IP on the same ports, an address the authorities' policy lets in.
        File.WriteAllText(Path.Combine(config, "authorities.json"), "{}");
        NodeDescriptor descriptor = NodeDescriptor.Parse(File.ReadAllText(Run("10.244.1.7", "following")));
        Assert.Equal(["10.244.1.7:30001", "10.244.1.7:30002"], descriptor.Addresses.ToArray());
        Assert.Equal("provider-0", descriptor.Name);
        var policy = new AddressPolicy(AllowLoopback: false, AllowPrivate: true);
        Assert.All(descriptor.Addresses, a => Assert.Null(policy.Check(a)));
        NodeDescriptor original = NodeDescriptor.Parse(File.ReadAllText(Path.Combine(secret, "descriptor.json")));
        Assert.Equal(original.IdentityKey, descriptor.IdentityKey);
        Assert.Equal(original.LinkKey, descriptor.LinkKey);

        // A restarted pod with a new IP (and IPv6 pods) — the volume's descriptor is re-signed again.
        descriptor = NodeDescriptor.Parse(File.ReadAllText(Run("fd00:10:244::7", "following")));
        Assert.Equal(["[fd00:10:244::7]:30001", "[fd00:10:244::7]:30002"], descriptor.Addresses.ToArray());
    }

    [Fact]
    public void Make_secrets_fills_every_placeholder_with_lists_the_authorities_and_nodes_parse()
    {
        string output = Path.Combine(_directory, "out");
        var environment = new Dictionary<string, string> { ["MIXNODE"] = PackagingFiles.WriteMixnodeWrapper(_directory), ["EPOCHS"] = "2" };
        (int code, string stdout, string error) = PackagingFiles.Run("bash", [Overlay("make-secrets.sh"), output], environment);
        Assert.True(code == 0, $"make-secrets.sh exit {code}: {error}\n{stdout}");

        YamlMap overlay = YamlDocuments.LoadSingle(Path.Combine(output, "kustomization.yaml"));
        Assert.Equal(Path.GetFullPath(Overlay()).TrimEnd('/'), Path.GetFullPath(Path.Combine(output, overlay.List("resources").OfType<string>().Single())).TrimEnd('/'));
        var generated = overlay.Maps("patches").SelectMany(p => YamlDocuments.Load(Path.Combine(output, p.RequireText("path")))).ToList();

        // Exactly the Secrets the pods mount (nodes and authorities), each with the keys its init container installs.
        List<YamlMap> resources = Resources();
        string[] mounted = [.. resources.Where(m => m.Text("kind") == "StatefulSet")
            .SelectMany(m => ((YamlMap)m.At("spec.template.spec")!).Maps("volumes"))
            .Select(v => v.At("secret.secretName") as string).OfType<string>()];
        string[] secrets = [.. generated.Where(d => d.Text("kind") == "Secret").Select(d => (string)d.At("metadata.name")!)];
        Assert.Equal(mounted.Order(StringComparer.Ordinal), secrets.Order(StringComparer.Ordinal));
        foreach (YamlMap secret in generated.Where(d => d.Text("kind") == "Secret" && ((string)d.At("metadata.name")!).StartsWith("mixnode-keys-authority-", StringComparison.Ordinal)))
        {
            Assert.Contains("-----BEGIN MIXNODE ED25519 PRIVATE KEY-----", secret.RequireMap("stringData").RequireText("authority.key"), StringComparison.Ordinal);
        }

        // The lists parse as the node and the authority parse them; authorities are named by their pods' stable DNS names.
        string authoritiesJson = generated.Single(d => d.Text("kind") == "ConfigMap" && d.At("metadata.name") as string == "mixnode-network").RequireMap("data").RequireText("authorities.json");
        AuthoritySet authorities = AuthoritySet.Parse(System.Text.Encoding.UTF8.GetBytes(authoritiesJson));
        Assert.Equal(2, authorities.Threshold);
        Assert.Equal(["authority-0", "authority-1", "authority-2"], authorities.Authorities.Select(a => a.Name));
        Assert.All(authorities.Authorities, a => Assert.Equal($"{a.Name}.authority.mixnode.svc.cluster.local:31000", a.Address));

        string nodesJson = generated.Single(d => d.Text("kind") == "ConfigMap" && d.At("metadata.name") as string == "mixnode-authority").RequireMap("data").RequireText("nodes.json");
        NodeList nodes = NodeList.Parse(System.Text.Encoding.UTF8.GetBytes(nodesJson));
        string[] nodePods = [.. secrets.Select(s => s["mixnode-keys-".Length..]).Where(p => !p.StartsWith("authority-", StringComparison.Ordinal))];
        Assert.Equal(nodePods.Order(StringComparer.Ordinal), nodes.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal));
        foreach (ListedNode node in nodes.Nodes)
        {
            NodeDescriptor descriptor = NodeDescriptor.Parse(File.ReadAllText(Path.Combine(output, "nodes", node.Name, "descriptor.json")));
            Assert.Equal(node.IdentityKey, descriptor.IdentityKey);
            Assert.Equal(node.Role, descriptor.Role);
        }

        // Again: the same keys.
        (code, _, error) = PackagingFiles.Run("bash", [Overlay("make-secrets.sh"), output], environment);
        Assert.True(code == 0, error);
        Assert.Equal(authoritiesJson.TrimEnd('\n'), File.ReadAllText(Path.Combine(output, "authorities.json")).TrimEnd('\n'));

        // kubectl, where it is installed, renders the overlay with no placeholder left.
        if (PackagingFiles.FindOnPath("kubectl") is { } kubectl)
        {
            (code, string rendered, error) = PackagingFiles.Run(kubectl, ["kustomize", output]);
            Assert.True(code == 0, $"kubectl kustomize: {error}");
            Assert.DoesNotContain("REPLACE", rendered, StringComparison.Ordinal);
        }
    }

    private string WriteAuthoritiesFile()
    {
        string path = Path.Combine(_directory, "authorities.json");
        string key = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray());
        string key2 = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 2)).ToArray());
        string key3 = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 3)).ToArray());
        File.WriteAllText(path, $$"""
            {"threshold": 2, "authorities": [
              {"name": "authority-0", "address": "authority-0.authority.mixnode.svc.cluster.local:31000", "public_key": "{{key}}"},
              {"name": "authority-1", "address": "authority-1.authority.mixnode.svc.cluster.local:31000", "public_key": "{{key2}}"},
              {"name": "authority-2", "address": "authority-2.authority.mixnode.svc.cluster.local:31000", "public_key": "{{key3}}"}]}
            """);
        return path;
    }

    private static void AssertKnownSettings(string file, Type options)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(file));
        AssertKnown(json.RootElement.GetProperty("Mixnode").GetProperty("Authority"), options, "Mixnode:Authority");
    }

    private static void AssertKnown(JsonElement element, Type type, string path)
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
