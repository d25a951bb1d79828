using System.Text.Json;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// The scripts that generate a network for the deployments, run for real with this build's mixnode: compose's
/// init step (config/compose/init-network.sh) and the Kubernetes key generator (config/k8s/make-secrets.sh).
/// Their output must name exactly the nodes, Secrets and ConfigMap the manifests expect.
/// </summary>
public sealed class DeploymentScriptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mixnode-packaging-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Compose_init_generates_a_signed_network_of_the_compose_services()
    {
        YamlMap init = YamlDocuments.LoadSingle(PackagingFiles.Config("compose", "compose.yaml")).RequireMap("services").RequireMap("init");
        string nodes = init.RequireMap("environment").RequireText("NODES");
        string root = Path.Combine(_directory, "network");
        foreach (string node in nodes.Split(' '))
        {
            Directory.CreateDirectory(Path.Combine(root, "nodes", node));
        }

        Directory.CreateDirectory(Path.Combine(root, "etc"));
        Directory.CreateDirectory(Path.Combine(root, "authority"));
        string id = Id();
        var environment = new Dictionary<string, string>
        {
            ["ROOT"] = root,
            ["MIXNODE"] = PackagingFiles.WriteMixnodeWrapper(_directory),
            ["NODES"] = nodes,
            ["EPOCHS"] = "4",
            ["NODE_UID"] = id.Split(':')[0],
            ["NODE_GID"] = id.Split(':')[1],
        };

        (int code, string output, string error) = PackagingFiles.Run("sh", [PackagingFiles.Config("compose", "init-network.sh")], environment);
        Assert.True(code == 0, $"init-network.sh exit {code}: {error}\n{output}");

        // The document lists every service at its service name; the shared settings are what the nodes read.
        JsonElement document = Payload(Path.Combine(root, "etc", "topology.json"));
        var addresses = AllNodes(document).ToDictionary(n => n.GetProperty("name").GetString()!, n => n.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray());
        Assert.Equal(nodes.Split(' ').Order(StringComparer.Ordinal), addresses.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, string[] listed) in addresses)
        {
            Assert.Equal($"{name}:{PackagingFiles.LinkPort}", listed[0]);
            Assert.Equal(name.StartsWith("provider-", StringComparison.Ordinal) ? 2 : 1, listed.Length);
        }

        using JsonDocument settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "etc", "appsettings.json")));
        JsonElement mixnode = settings.RootElement.GetProperty("Mixnode");
        Assert.Equal("/etc/mixnode/topology.json", mixnode.GetProperty("TopologyPath").GetString());
        Assert.Equal($"0.0.0.0:{PackagingFiles.ManagementPort}", mixnode.GetProperty("Management").GetProperty("ListenAddress").GetString());
        Assert.True(File.Exists(Path.Combine(root, "etc", "authority.pub")));
        Assert.False(File.Exists(Path.Combine(root, "etc", "authority.key")), "the authority's private key must stay out of the nodes' volume");

        // The document verifies with the published key, as a node will check it.
        (code, _, error) = PackagingFiles.Run(environment["MIXNODE"], ["topology", "verify", Path.Combine(root, "etc", "topology.json"), "--authority-pub", Path.Combine(root, "etc", "authority.pub")]);
        Assert.True(code == 0, error);

        // Run again (every `docker compose up`): same identities, document re-signed.
        string identity = File.ReadAllText(Path.Combine(root, "nodes", "mix-0-0", "keys", "identity.key"));
        (code, _, error) = PackagingFiles.Run("sh", [PackagingFiles.Config("compose", "init-network.sh")], environment);
        Assert.True(code == 0, error);
        Assert.Equal(identity, File.ReadAllText(Path.Combine(root, "nodes", "mix-0-0", "keys", "identity.key")));
    }

    [Fact]
    public void Make_secrets_fills_exactly_the_Secrets_and_ConfigMap_the_manifests_mount()
    {
        string output = Path.Combine(_directory, "k8s");
        var environment = new Dictionary<string, string> { ["MIXNODE"] = PackagingFiles.WriteMixnodeWrapper(_directory), ["EPOCHS"] = "4" };
        (int code, string stdout, string error) = PackagingFiles.Run("bash", [PackagingFiles.Config("k8s", "make-secrets.sh"), output], environment);
        Assert.True(code == 0, $"make-secrets.sh exit {code}: {error}\n{stdout}");

        var manifests = PackagingFiles.YamlFiles("k8s").Where(f => Path.GetFileName(f) != "kustomization.yaml").SelectMany(YamlDocuments.Load).ToList();
        string[] mounted = [.. manifests.Where(m => m.Text("kind") == "StatefulSet")
            .SelectMany(m => ((YamlMap)m.At("spec.template.spec")!).Maps("volumes"))
            .Select(v => v.At("secret.secretName") as string).OfType<string>()];
        string[] placeholders = [.. manifests.Where(m => m.Text("kind") == "Secret").Select(m => (string)m.At("metadata.name")!)];

        YamlMap overlay = YamlDocuments.LoadSingle(Path.Combine(output, "kustomization.yaml"));
        string[] patches = [.. overlay.Maps("patches").Select(p => p.RequireText("path"))];
        var generated = patches.SelectMany(p => YamlDocuments.Load(Path.Combine(output, p))).ToList();
        string[] secrets = [.. generated.Where(d => d.Text("kind") == "Secret").Select(d => (string)d.At("metadata.name")!)];
        Assert.Equal(mounted.Order(StringComparer.Ordinal), secrets.Order(StringComparer.Ordinal));
        Assert.Equal(placeholders.Order(StringComparer.Ordinal), secrets.Order(StringComparer.Ordinal));
        Assert.Equal(
            Path.GetFullPath(PackagingFiles.Config("k8s")).TrimEnd('/'),
            Path.GetFullPath(Path.Combine(output, overlay.List("resources").OfType<string>().Single())).TrimEnd('/'));

        foreach (YamlMap secret in generated.Where(d => d.Text("kind") == "Secret"))
        {
            YamlMap data = secret.RequireMap("stringData");
            Assert.Equal("mixnode", secret.At("metadata.namespace"));
            Assert.Contains("-----BEGIN MIXNODE ED25519 PRIVATE KEY-----", data.RequireText("identity.key"), StringComparison.Ordinal);
            Assert.Contains("-----BEGIN MIXNODE X25519 PRIVATE KEY-----", data.RequireText("link.key"), StringComparison.Ordinal);
            Assert.True(data.Keys.Count(k => k.StartsWith("mix.", StringComparison.Ordinal) && k.EndsWith(".key", StringComparison.Ordinal)) >= 4);
            Assert.All(data.Keys, k => Assert.Matches("^[-._a-zA-Z0-9]+$", k));
        }

        // The document in the ConfigMap is byte for byte the signed file (the signature covers the payload's bytes),
        // and names every pod by its stable DNS name under its StatefulSet's headless Service.
        YamlMap network = generated.Single(d => d.Text("kind") == "ConfigMap");
        Assert.Equal("mixnode-network", network.At("metadata.name"));
        string topology = network.RequireMap("data").RequireText("topology.json");
        Assert.Equal(File.ReadAllText(Path.Combine(output, "topology.json")).TrimEnd('\n'), topology.TrimEnd('\n'));
        foreach (JsonElement node in AllNodes(Payload(Path.Combine(output, "topology.json"))))
        {
            string name = node.GetProperty("name").GetString()!;
            string service = name[..name.LastIndexOf('-')];
            Assert.Equal($"{name}.{service}.mixnode.svc.cluster.local:{PackagingFiles.LinkPort}", node.GetProperty("addresses")[0].GetString());
            Assert.Contains(manifests, m => m.Text("kind") == "Service" && m.At("metadata.name") as string == service);
        }

        // kubectl, where it is installed, renders the overlay with no placeholder left.
        if (PackagingFiles.FindOnPath("kubectl") is { } kubectl)
        {
            (code, string rendered, error) = PackagingFiles.Run(kubectl, ["kustomize", output]);
            Assert.True(code == 0, $"kubectl kustomize: {error}");
            Assert.DoesNotContain("REPLACE", rendered, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Make_secrets_refuses_a_directory_inside_a_git_work_tree()
    {
        if (!Directory.Exists(PackagingFiles.Repo(".git")) && !File.Exists(PackagingFiles.Repo(".git")))
        {
            return;
        }

        string inside = PackagingFiles.Repo("TestResults", "make-secrets-" + Guid.NewGuid().ToString("N"));
        try
        {
            var environment = new Dictionary<string, string> { ["MIXNODE"] = PackagingFiles.WriteMixnodeWrapper(_directory) };
            (int code, _, string error) = PackagingFiles.Run("bash", [PackagingFiles.Config("k8s", "make-secrets.sh"), inside], environment);
            Assert.Equal(2, code);
            Assert.Contains("git work tree", error, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Path.Combine(inside, "nodes")), "keys were written inside the repository");
        }
        finally
        {
            if (Directory.Exists(inside))
            {
                Directory.Delete(inside, recursive: true);
            }
        }
    }

    private static JsonElement Payload(string signedDocument)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(signedDocument));
        return document.RootElement.GetProperty("payload").Clone();
    }

    private static IEnumerable<JsonElement> AllNodes(JsonElement payload) =>
        payload.GetProperty("providers").EnumerateArray()
            .Concat(payload.GetProperty("layers").EnumerateArray().SelectMany(layer => layer.EnumerateArray()));

    private static string Id()
    {
        (int code, string uid, _) = PackagingFiles.Run("id", ["-u"]);
        Assert.Equal(0, code);
        (code, string gid, _) = PackagingFiles.Run("id", ["-g"]);
        Assert.Equal(0, code);
        return uid.Trim() + ":" + gid.Trim();
    }
}
