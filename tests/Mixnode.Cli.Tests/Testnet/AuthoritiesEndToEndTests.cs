using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mixnode.Cli.Tests.Keygen;
using Mixnode.Cli.Tests.Loadgen;
using Mixnode.Cli.Tests.Support;
using Mixnode.Pki;

namespace Mixnode.Cli.Tests.Testnet;

/// <summary>
/// A network that runs itself, with real processes: <c>mixnode testnet --authorities 3</c> with 10-second epochs (the shortest a node accepts), one
/// authority killed as soon as the network is up, and loadgen through the other two (<c>--authorities</c>) across
/// several epoch changes. Every message must arrive: the two remaining authorities keep publishing, the nodes switch
/// documents at each boundary, loadgen follows them.
/// </summary>
[Collection(LoadgenEndToEndCollection.Name)]
public sealed class AuthoritiesEndToEndTests : IDisposable
{
    private const int EpochSeconds = 10;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(150);
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Epoch_changes_under_load_with_one_authority_killed_lose_nothing()
    {
        string net = _dir.Combine("net");
        using var testnetOutput = new StringWriter(CultureInfo.InvariantCulture);
        Task<int> testnet = Task.Run(() => MixnodeCommand.Run(
            ["testnet", "--dir", net, "--duration", "60", "--layers", "2", "--providers", "2", "--authorities", "3",
             "--epoch-seconds", EpochSeconds.ToString(CultureInfo.InvariantCulture), "--base-port", FreePorts.BasePort(16)],
            testnetOutput));
        try
        {
            JsonElement[] nodes = await WaitForNodesJsonAsync(net, testnet, testnetOutput);
            Assert.Equal(["authority", "authority", "authority", "provider", "provider", "mix", "mix"], nodes.Select(n => n.GetProperty("role").GetString()));

            // topology.json is the current consensus, signed by all three authorities so far.
            AuthoritySet authorities = AuthoritySet.Read(Path.Combine(net, "authorities.json"));
            Assert.Equal(2, authorities.Threshold);
            (NetworkDocument first, IReadOnlyList<Sphinx.Bytes32> signers) = SignedNetworkDocument.VerifyWithSigners(await File.ReadAllBytesAsync(Path.Combine(net, "topology.json")), authorities);
            Assert.Equal(3, signers.Count);

            int killed = nodes[0].GetProperty("pid").GetInt32();
            using (Process authority = Process.GetProcessById(killed))
            {
                authority.Kill();
            }

            string report = _dir.Combine("report.json");
            using var output = new StringWriter(CultureInfo.InvariantCulture);
            int code = await Task.Run(() => MixnodeCommand.Run(
                [
                    "loadgen", "--authorities", Path.Combine(net, "authorities.json"), "--rate", "60", "--duration", "25",
                    "--clients", "4", "--drain-seconds", "4", "--report", report,
                ],
                output)).WaitAsync(Bound);
            Assert.True(code == 0, output.ToString());

            using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            JsonElement root = json.RootElement;
            long sent = root.GetProperty("sent").GetInt64();
            Assert.True(sent > 500, $"sent {sent}");
            Assert.True(sent == root.GetProperty("delivered").GetInt64(), $"{output}\n{File.ReadAllText(report)}");
            Assert.Equal(0, root.GetProperty("misdelivered").GetInt64());
            Assert.True(root.GetProperty("epochs_seen").GetInt32() >= 2, File.ReadAllText(report));

            // After the kill, documents carry the two remaining signatures: still at the threshold.
            (NetworkDocument now, signers) = SignedNetworkDocument.VerifyWithSigners(await File.ReadAllBytesAsync(Path.Combine(net, "topology.json")), authorities);
            Assert.True(now.Epoch >= first.Epoch + 2, $"topology.json went from epoch {first.Epoch} to {now.Epoch}");
            Assert.Equal(2, signers.Count);
        }
        finally
        {
            // The killed authority makes the run end with 1 (a process exited on its own); either way it stops every node.
            int code = await testnet.WaitAsync(Bound);
            Assert.True(code is 0 or 1, testnetOutput.ToString());
        }
    }

    private static async Task<JsonElement[]> WaitForNodesJsonAsync(string net, Task<int> testnet, StringWriter output)
    {
        string path = Path.Combine(net, "nodes.json");
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            Assert.False(testnet.IsCompleted, $"the testnet ended: {output}");
            Assert.True(DateTime.UtcNow < deadline, $"the network did not become ready: {output}");
            if (File.Exists(path))
            {
                try
                {
                    using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(path));
                    return [.. json.RootElement.EnumerateArray().Select(e => e.Clone())];
                }
                catch (Exception e) when (e is JsonException or IOException)
                {
                    // Written atomically, but read while being replaced.
                }
            }

            await Task.Delay(100);
        }
    }
}
