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

    private TestnetSettings Settings => new(_dir.Combine("net"), Layers: 2, PerLayer: 2, Providers: 2, MeanDelayMs: 20, BasePort: 40000);

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
    public void Nodes_json_lists_every_node_on_distinct_ports_and_providers_have_a_client_address()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        using JsonDocument nodes = JsonDocument.Parse(File.ReadAllText(layout.NodesFilePath));
        JsonElement[] entries = [.. nodes.RootElement.EnumerateArray()];
        Assert.Equal(["provider-0", "provider-1", "mix-0-0", "mix-0-1", "mix-1-0", "mix-1-1"], entries.Select(e => e.GetProperty("name").GetString()));
        var ports = new List<string>();
        foreach (JsonElement entry in entries)
        {
            bool provider = entry.GetProperty("role").GetString() == "provider";
            Assert.Equal(provider ? JsonValueKind.Null : JsonValueKind.Number, entry.GetProperty("layer").ValueKind);
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("pid").ValueKind);
            Assert.Equal(JsonValueKind.Null, entry.GetProperty("metrics_url").ValueKind);
            ports.Add(entry.GetProperty("address").GetString()!);
            if (provider)
            {
                ports.Add(entry.GetProperty("client_address").GetString()!);
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, entry.GetProperty("client_address").ValueKind);
            }
        }

        Assert.Equal(8, ports.Count);
        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.All(ports, p => Assert.StartsWith("127.0.0.1:", p, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(40000, 8).Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)), ports.Order(StringComparer.Ordinal));

        // The descriptor in the topology carries the same two addresses, link first.
        using JsonDocument descriptor = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout.Directory, "provider-1", "keys", "descriptor.json")));
        Assert.Equal(["127.0.0.1:40002", "127.0.0.1:40003"], descriptor.RootElement.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
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

    private static string NodeId(TestnetLayout layout, string name)
    {
        using JsonDocument descriptor = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout.Directory, name, "keys", "descriptor.json")));
        return descriptor.RootElement.GetProperty("id").GetString()!;
    }
}
