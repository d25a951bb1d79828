using System.Globalization;
using System.Text.Json;
using Mixnode.Cli.Testnet;
using Mixnode.Cli.Tests.Keygen;
using Mixnode.Cli.Topology;

namespace Mixnode.Cli.Tests.Testnet;

public sealed class TestnetGeneratorTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>An offline-signed network (no authorities): the authorities' own generation is in TestnetAuthoritiesTests.</summary>
    private TestnetSettings Settings => new(_dir.Combine("net"), Layers: 2, PerLayer: 2, Providers: 2, MeanDelayMs: 20, BasePort: 40000, Authorities: 0);

    [Fact]
    public void The_topology_is_signed_by_the_generated_authority_and_lists_every_node()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        Assert.Equal(Path.Combine(layout.Directory, "topology.json"), layout.TopologyPath);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, TopologyCommand.Verify(layout.TopologyPath, layout.AuthorityPublicKeyPath, TimeProvider.System, output, error));
        string summary = output.ToString();
        Assert.Contains("providers: 2 (provider-0, provider-1)", summary, StringComparison.Ordinal);
        Assert.Contains("layer 0: 2 mixes (mix-0-0, mix-0-1)", summary, StringComparison.Ordinal);
        Assert.Contains("layer 1: 2 mixes (mix-1-0, mix-1-1)", summary, StringComparison.Ordinal);
        Assert.Contains("mean delay 20 ms", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", summary, StringComparison.Ordinal);

        // The document covers the current epoch and at least three more.
        using JsonDocument signed = JsonDocument.Parse(File.ReadAllText(layout.TopologyPath));
        JsonElement covered = signed.RootElement.GetProperty("payload").GetProperty("epochs_covered");
        Assert.True(covered.GetProperty("last").GetInt64() - covered.GetProperty("first").GetInt64() >= 3);
    }

    [Fact]
    public void Every_node_gets_distinct_ports_and_providers_have_a_client_address()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        Assert.Equal(["provider-0", "provider-1", "mix-0-0", "mix-0-1", "mix-1-0", "mix-1-1"], layout.Nodes.Select(n => n.Name));
        var ports = new List<string>();
        foreach (TestnetNode node in layout.Nodes)
        {
            bool provider = node.RoleName == "provider";
            Assert.Equal(provider, node.Layer is null);
            Assert.Equal(provider, node.ClientAddress is not null);
            ports.Add(node.Address);
            if (node.ClientAddress is not null)
            {
                ports.Add(node.ClientAddress);
            }
        }

        // Link and client ports first, where they were before nodes had a management endpoint; then one
        // management port per node, in the same order.
        Assert.Equal(Enumerable.Range(40000, 8).Select(Loopback), ports.Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(40008, 6).Select(Loopback), layout.Nodes.Select(n => n.ManagementAddress));
        Assert.Equal(14, Settings.PortCount);

        // The descriptor in the topology carries the same two addresses, link first.
        using JsonDocument descriptor = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout.Directory, "provider-1", "keys", "descriptor.json")));
        Assert.Equal(["127.0.0.1:40002", "127.0.0.1:40003"], descriptor.RootElement.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public void Default_ports_keep_the_documented_link_and_client_ports_and_add_management_ports_after_them()
    {
        IReadOnlyList<TestnetNode> nodes = TestnetGenerator.Plan(new TestnetSettings(_dir.Combine("net")), _dir.Combine("net"));

        Assert.Equal(["127.0.0.1:30000", "127.0.0.1:30002", "127.0.0.1:30004", "127.0.0.1:30005", "127.0.0.1:30006"], nodes.Select(n => n.Address));
        Assert.Equal(["127.0.0.1:30007", "127.0.0.1:30008", "127.0.0.1:30009", "127.0.0.1:30010", "127.0.0.1:30011"], nodes.Select(n => n.ManagementAddress));
        Assert.Equal(new Uri("http://127.0.0.1:30009/metrics"), nodes[2].MetricsUrl);
        Assert.Equal(new Uri("http://127.0.0.1:30009/health/ready"), nodes[2].ReadyUrl);
        Assert.DoesNotContain(nodes, n => n.ManagementAddress.EndsWith(":9464", StringComparison.Ordinal));
    }

    [Fact]
    public void Generation_writes_no_nodes_json_and_removes_the_one_of_an_earlier_run()
    {
        string net = _dir.Combine("net");
        Directory.CreateDirectory(net);
        File.WriteAllText(Path.Combine(net, "nodes.json"), """[{"name":"provider-0","pid":4242}]""");
        File.WriteAllText(Path.Combine(net, "nodes.starting.json"), "[]");

        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        // nodes.json means "every node is ready": only the running testnet writes it.
        Assert.False(File.Exists(layout.NodesFilePath));
        Assert.False(File.Exists(layout.StartingNodesFilePath));
    }

    [Fact]
    public void Nodes_json_lists_every_node_with_its_metrics_url_and_pid()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);
        NodesFile.Write(layout.NodesFilePath, layout.Nodes.Select((n, i) => (n, i == 1 ? (int?)null : 1000 + i)));

        using JsonDocument nodes = JsonDocument.Parse(File.ReadAllText(layout.NodesFilePath));
        JsonElement[] entries = [.. nodes.RootElement.EnumerateArray()];
        Assert.Equal(layout.Nodes.Select(n => n.Name), entries.Select(e => e.GetProperty("name").GetString()));
        for (int i = 0; i < entries.Length; i++)
        {
            JsonElement entry = entries[i];
            TestnetNode node = layout.Nodes[i];
            bool provider = entry.GetProperty("role").GetString() == "provider";
            Assert.Equal(provider ? JsonValueKind.Null : JsonValueKind.Number, entry.GetProperty("layer").ValueKind);
            Assert.Equal(node.Address, entry.GetProperty("address").GetString());
            Assert.Equal(provider ? JsonValueKind.String : JsonValueKind.Null, entry.GetProperty("client_address").ValueKind);
            Assert.Equal($"http://{node.ManagementAddress}/metrics", entry.GetProperty("metrics_url").GetString());
            if (i == 1)
            {
                Assert.Equal(JsonValueKind.Null, entry.GetProperty("pid").ValueKind);
            }
            else
            {
                Assert.Equal(1000 + i, entry.GetProperty("pid").GetInt32());
            }
        }
    }

    [Fact]
    public void Every_node_has_a_config_for_its_role()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        foreach (TestnetNode node in layout.Nodes)
        {
            Assert.True(File.Exists(node.ConfigPath), node.ConfigPath);
            using JsonDocument config = JsonDocument.Parse(File.ReadAllText(node.ConfigPath));
            Assert.Equal("Warning", config.RootElement.GetProperty("Logging").GetProperty("LogLevel").GetProperty("Default").GetString());
            JsonElement mixnode = config.RootElement.GetProperty("Mixnode");
            Assert.Equal(node.Name, mixnode.GetProperty("Name").GetString());
            Assert.Equal(node.Address, mixnode.GetProperty("ListenAddress").GetString());
            Assert.Equal(layout.TopologyPath, mixnode.GetProperty("TopologyPath").GetString());
            Assert.Equal(layout.AuthorityPublicKeyPath, mixnode.GetProperty("AuthorityPublicKeyPath").GetString());
            Assert.True(File.Exists(mixnode.GetProperty("AuthorityPublicKeyPath").GetString()));
            Assert.True(Directory.Exists(mixnode.GetProperty("KeysDirectory").GetString()));
            Assert.Equal(1, mixnode.GetProperty("Workers").GetInt32());
            Assert.Equal(5_000_000, mixnode.GetProperty("ReplayFilterCapacity").GetInt64());
            Assert.Equal("default", mixnode.GetProperty("Geometry").GetString());
            bool provider = node.Name.StartsWith("provider-", StringComparison.Ordinal);
            Assert.Equal(provider ? "mailbox" : "count", mixnode.GetProperty("Delivery").GetProperty("Sink").GetString());
            Assert.Equal(provider ? "provider" : "mix", mixnode.GetProperty("Role").GetString());
            if (provider)
            {
                Assert.Equal(node.ClientAddress, mixnode.GetProperty("ClientListenAddress").GetString());
                Assert.Equal(5000, mixnode.GetProperty("Clients").GetProperty("RatePerSecond").GetInt32());
                Assert.Equal(5000, mixnode.GetProperty("Clients").GetProperty("Burst").GetInt32());
            }
            else
            {
                Assert.False(mixnode.TryGetProperty("ClientListenAddress", out _));
            }

            Assert.Equal(node.ManagementAddress, mixnode.GetProperty("Management").GetProperty("ListenAddress").GetString());
        }
    }

    [Fact]
    public void Private_keys_are_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        var privateFiles = new List<string> { layout.AuthorityKeyPath };
        foreach (TestnetNode node in layout.Nodes)
        {
            privateFiles.Add(Path.Combine(node.KeysDirectory, "identity.key"));
            privateFiles.Add(Path.Combine(node.KeysDirectory, "link.key"));
            string[] mixKeys = Directory.GetFiles(Path.Combine(node.KeysDirectory, "mix"), "*.key");
            Assert.True(mixKeys.Length >= 4, $"{node.Name} has {mixKeys.Length} mix keys");
            privateFiles.AddRange(mixKeys);
        }

        foreach (string file in privateFiles)
        {
            Assert.Equal(Private, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void Generating_again_keeps_the_identities_and_the_authority()
    {
        TestnetLayout first = TestnetGenerator.Generate(Settings, TimeProvider.System);
        string authority = File.ReadAllText(first.AuthorityPublicKeyPath);
        string id = NodeId(first, "mix-1-1");

        TestnetLayout second = TestnetGenerator.Generate(Settings, TimeProvider.System);
        Assert.Equal(authority, File.ReadAllText(second.AuthorityPublicKeyPath));
        Assert.Equal(id, NodeId(second, "mix-1-1"));
    }

    [Fact]
    public void A_long_duration_gets_mix_keys_for_all_of_it()
    {
        TimeSpan period = TimeSpan.FromMinutes(20);
        Assert.Equal(4, TestnetGenerator.EpochsFor(null, period));
        Assert.Equal(4, TestnetGenerator.EpochsFor(60, period));
        Assert.Equal(12, TestnetGenerator.EpochsFor(10 * 20 * 60, period));
    }

    private static string Loopback(int port) => "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private static string NodeId(TestnetLayout layout, string name)
    {
        using JsonDocument descriptor = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout.Directory, name, "keys", "descriptor.json")));
        return descriptor.RootElement.GetProperty("id").GetString()!;
    }
}
