using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using Mixnode.Cli.Tests.Keygen;
using Mixnode.Cli.Tests.Support;

namespace Mixnode.Cli.Tests.Loadgen;

/// <summary>Runs alone: a whole network of processes and the load generator need the machine's few cores to themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadgenEndToEndCollection
{
    public const string Name = "loadgen end to end";
}

/// <summary>
/// loadgen --cover against a real testnet (every node its own process): messages arrive at the other clients, drops
/// vanish at their providers, loops come back to their senders, and the report carries the anonymity figure.
/// </summary>
[Collection(LoadgenEndToEndCollection.Name)]
public sealed class LoadgenEndToEndTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Cover_traffic_through_a_testnet_delivers_every_message_and_brings_every_loop_home()
    {
        string net = _dir.Combine("net");
        using var testnetOutput = new StringWriter(CultureInfo.InvariantCulture);
        Task<int> testnet = Task.Run(() => MixnodeCommand.Run(["testnet", "--dir", net, "--duration", "18", "--authorities", "0", "--base-port", FreePorts.BasePort(12)], testnetOutput));
        await WaitForNodesAsync(net, 5, testnet, testnetOutput);

        string report = _dir.Combine("report.json");
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        int code = await Task.Run(() => MixnodeCommand.Run(
            [
                "loadgen", "--topology", Path.Combine(net, "topology.json"), "--authority-pub", Path.Combine(net, "authority", "authority.pub"),
                "--rate", "40", "--duration", "3", "--clients", "4", "--cover", "--payload-rate", "20", "--loop-rate", "4",
                "--drain-seconds", "3", "--report", report,
            ],
            output)).WaitAsync(Bound);
        Assert.True(code == 0, output.ToString());

        using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
        JsonElement root = json.RootElement;
        long sent = root.GetProperty("sent").GetInt64();
        Assert.True(sent > 0);
        Assert.Equal(sent, root.GetProperty("delivered").GetInt64());
        Assert.Equal(0, root.GetProperty("misdelivered").GetInt64());
        Assert.Equal(0, root.GetProperty("foreign").GetInt64());
        Assert.True(root.GetProperty("cover").GetBoolean());
        Assert.Equal(20, root.GetProperty("payload_rate_per_client").GetDouble());
        Assert.True(root.GetProperty("drops_sent").GetInt64() > 0);
        long loops = root.GetProperty("loops_sent").GetInt64();
        Assert.True(loops > 0);
        Assert.Equal(loops, root.GetProperty("loops_returned").GetInt64());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("anonymity_bits").ValueKind);
        Assert.Contains("anonymity (timing) bits", output.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await testnet.WaitAsync(Bound));
    }

    private static async Task WaitForNodesAsync(string net, int count, Task<int> testnet, StringWriter output)
    {
        string nodes = Path.Combine(net, "nodes.json");
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            Assert.False(testnet.IsCompleted, $"the testnet ended: {output}");
            Assert.True(DateTime.UtcNow < deadline, "the testnet did not start its nodes");
            try
            {
                if (File.Exists(nodes))
                {
                    using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(nodes));
                    JsonElement[] started = [.. json.RootElement.EnumerateArray().Where(n => n.GetProperty("pid").ValueKind == JsonValueKind.Number)];

                    // A node listens a while after its process starts (longer on a busy machine): wait for every port.
                    string[] addresses = [.. started.SelectMany(n => new[] { n.GetProperty("address"), n.GetProperty("client_address") })
                        .Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)];
                    if (started.Length == count && await AllListeningAsync(addresses))
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is JsonException or IOException)
            {
                // Read while being rewritten.
            }

            await Task.Delay(100);
        }
    }

    private static async Task<bool> AllListeningAsync(IEnumerable<string> addresses)
    {
        foreach (string address in addresses)
        {
            int colon = address.LastIndexOf(':');
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(address[..colon], int.Parse(address[(colon + 1)..], CultureInfo.InvariantCulture));
            }
            catch (SocketException)
            {
                return false;
            }
        }

        return true;
    }
}
