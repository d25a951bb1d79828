using System.Text.Json;
using Mixnode.Cli.Testnet;
using Mixnode.Cli.Tests.Keygen;
using Mixnode.Pki;

namespace Mixnode.Cli.Tests.Testnet;

public sealed class TestnetAuthoritiesTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private TestnetSettings Settings => new(_dir.Combine("net"), Layers: 2, PerLayer: 1, Providers: 1, BasePort: 41000, Authorities: 3, EpochSeconds: 20);

    [Fact]
    public void Authorities_come_first_with_ports_after_every_nodes()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        Assert.Equal(["auth-0", "auth-1", "auth-2", "provider-0", "mix-0-0", "mix-1-0"], layout.Nodes.Select(n => n.Name));
        Assert.True(layout.HasAuthorities);

        // 1 provider × 2 + 2 mixes = link/client ports 41000..41003, node management 41004..41006, then the
        // authorities' API ports and their management ports.
        Assert.Equal(["127.0.0.1:41007", "127.0.0.1:41008", "127.0.0.1:41009"], layout.Nodes.Where(n => n.IsAuthority).Select(n => n.Address));
        Assert.Equal(["127.0.0.1:41010", "127.0.0.1:41011", "127.0.0.1:41012"], layout.Nodes.Where(n => n.IsAuthority).Select(n => n.ManagementAddress));
        Assert.Equal(13, Settings.PortCount);
        Assert.All(layout.Nodes.Where(n => n.IsAuthority), a => Assert.Equal("authority", a.RoleName));
    }

    [Fact]
    public void Authorities_json_lists_every_authority_with_a_majority_threshold()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        AuthoritySet set = AuthoritySet.Read(layout.AuthoritiesFilePath);
        Assert.Equal(2, set.Threshold);
        Assert.Equal(["auth-0", "auth-1", "auth-2"], set.Authorities.Select(a => a.Name));
        foreach (TestnetNode authority in layout.Nodes.Where(n => n.IsAuthority))
        {
            AuthorityInfo info = set.Authorities.Single(a => a.Name == authority.Name);
            Assert.Equal(authority.Address, info.Address);
            Assert.Equal(info.PublicKey.AsReadOnlySpan().ToArray(), KeyFile.ReadPublic(authority.AuthorityPublicKeyPath, KeyType.Ed25519));
        }

        // No offline document: the authorities make it once they run, and the testnet copies it then.
        Assert.False(File.Exists(layout.TopologyPath));
    }

    [Fact]
    public void Every_authority_gets_a_config_and_every_node_follows_the_authorities()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);

        using JsonDocument list = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout.Directory, TestnetAuthorities.NodesFileName)));
        Assert.Equal(["provider-0", "mix-0-0", "mix-1-0"], list.RootElement.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.Equal(["provider", "mix", "mix"], list.RootElement.EnumerateArray().Select(e => e.GetProperty("role").GetString()));

        foreach (TestnetNode node in layout.Nodes)
        {
            using JsonDocument config = JsonDocument.Parse(File.ReadAllText(node.ConfigPath));
            JsonElement mixnode = config.RootElement.GetProperty("Mixnode");
            if (node.IsAuthority)
            {
                JsonElement authority = mixnode.GetProperty("Authority");
                Assert.Equal(node.Name, authority.GetProperty("Name").GetString());
                Assert.Equal(node.Address, authority.GetProperty("ListenAddress").GetString());
                Assert.Equal(layout.AuthoritiesFilePath, authority.GetProperty("AuthoritiesFile").GetString());
                Assert.Equal("00:00:20", authority.GetProperty("EpochPeriod").GetString());
                Assert.Equal(2, authority.GetProperty("Layers").GetInt32());
                Assert.True(authority.GetProperty("AllowLoopbackAddresses").GetBoolean());
                Assert.Equal(node.ManagementAddress, authority.GetProperty("Management").GetProperty("ListenAddress").GetString());
            }
            else
            {
                Assert.Equal(layout.AuthoritiesFilePath, mixnode.GetProperty("AuthoritiesFile").GetString());
                Assert.Equal("00:00:20", mixnode.GetProperty("EpochPeriod").GetString());
                Assert.False(mixnode.TryGetProperty("TopologyPath", out _));
            }
        }
    }

    [Fact]
    public void Nodes_json_names_authorities_and_the_layers_the_consensus_assigned()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);
        var assigned = new Dictionary<string, int>(StringComparer.Ordinal) { ["mix-0-0"] = 1, ["mix-1-0"] = 0 };
        NodesFile.Write(layout.NodesFilePath, layout.Nodes.Select((n, i) => (n, (int?)(100 + i))), assigned);

        using JsonDocument nodes = JsonDocument.Parse(File.ReadAllText(layout.NodesFilePath));
        JsonElement[] entries = [.. nodes.RootElement.EnumerateArray()];
        Assert.Equal(["authority", "authority", "authority", "provider", "mix", "mix"], entries.Select(e => e.GetProperty("role").GetString()));
        Assert.All(entries.Take(3), e => Assert.Equal(JsonValueKind.Null, e.GetProperty("layer").ValueKind));
        Assert.Equal(1, entries[4].GetProperty("layer").GetInt32());
        Assert.Equal(0, entries[5].GetProperty("layer").GetInt32());
        Assert.Equal("http://127.0.0.1:41010/metrics", entries[0].GetProperty("metrics_url").GetString());
    }

    [Fact]
    public void Authorities_run_through_the_authority_command()
    {
        TestnetLayout layout = TestnetGenerator.Generate(Settings, TimeProvider.System);
        var launcher = new NodeLauncher("mixnode", []);
        TestnetNode authority = layout.Nodes[0];
        Assert.Equal(["authority", "run", "--config", authority.ConfigPath, $"Mixnode:Authority:Management:ListenAddress={authority.ManagementAddress}"], launcher.StartInfo(authority).ArgumentList);
        Assert.Equal(["run", "--config", layout.Nodes[3].ConfigPath, $"Mixnode:Management:ListenAddress={layout.Nodes[3].ManagementAddress}"], launcher.StartInfo(layout.Nodes[3]).ArgumentList);
    }
}
