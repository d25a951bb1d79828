using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net;
using System.Text.Json;
using Mixnode.Cli.Tests.Keygen;
using Mixnode.Cli.Tests.Loadgen;
using Mixnode.Cli.Tests.Support;

namespace Mixnode.Cli.Tests.Testnet;

/// <summary>
/// Real processes: the testnet starts mixnode.dll (copied next to this assembly) once per node. In one class so the
/// two runs do not compete for the machine's cores at the same time, and in the non-parallel end-to-end collection:
/// nodes must stop within their SIGTERM grace, which other test classes running beside them could stretch.
/// </summary>
[Collection(LoadgenEndToEndCollection.Name)]
public sealed class TestnetEndToEndTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Writes_nodes_json_once_every_node_is_ready_and_stops_them_all_after_the_duration()
    {
        string net = _dir.Combine("net");
        string nodesFile = Path.Combine(net, "nodes.json");
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();
        Task<int> testnet = Task.Run(() => MixnodeCommand.Run(
            ["testnet", "--dir", net, "--duration", "5", "--layers", "1", "--per-layer", "1", "--providers", "1", "--authorities", "0", "--base-port", FreePorts.BasePort(5)],
            output));

        // nodes.json is the signal scripts wait for: the moment it exists, every node must answer ready.
        while (!File.Exists(nodesFile))
        {
            Assert.False(testnet.IsCompleted, "the testnet ended before writing nodes.json");
            Assert.True(stopwatch.Elapsed < Bound, "no nodes.json");
            await Task.Delay(20);
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using (JsonDocument nodes = JsonDocument.Parse(await File.ReadAllTextAsync(nodesFile)))
        {
            JsonElement[] entries = [.. nodes.RootElement.EnumerateArray()];
            Assert.Equal(2, entries.Length);
            foreach (JsonElement entry in entries)
            {
                Assert.True(entry.GetProperty("pid").GetInt32() > 0);
                var metrics = new Uri(entry.GetProperty("metrics_url").GetString()!);
                Assert.Equal("/metrics", metrics.AbsolutePath);
                using HttpResponseMessage ready = await http.GetAsync(new Uri(metrics, "/health/ready"));
                Assert.True(ready.StatusCode == HttpStatusCode.OK, $"{entry.GetProperty("name")}: /health/ready {ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}");
                using HttpResponseMessage scrape = await http.GetAsync(metrics);
                Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
            }
        }

        Assert.False(File.Exists(Path.Combine(net, "nodes.starting.json")), "the start-up list outlived nodes.json");
        int code = await testnet.WaitAsync(Bound);
        string text = output.ToString();
        Assert.True(code == 0, text);
        Assert.Matches(@"all 2 nodes ready in \d+\.\d s", text);
        int[] pids = Pids(net);
        Assert.Equal(2, pids.Length);
        Assert.Contains("running, ready", text, StringComparison.Ordinal);
        Assert.Contains("stopping 2 node(s)", text, StringComparison.Ordinal);

        // Both stopped on SIGTERM (exit 0), not killed after the grace period.
        Assert.True(text.Split("exited (0)").Length - 1 == 2, text + Environment.NewLine + NodeLogs(net));
        Assert.All(pids, pid => Assert.False(IsAlive(pid), $"pid {pid} still runs after the testnet returned"));
        Assert.True(File.Exists(Path.Combine(net, "provider-0", "node.log")));
    }

    [Fact]
    public async Task A_node_that_cannot_start_fails_the_run_and_the_others_are_stopped()
    {
        string net = _dir.Combine("net");

        // The node's state directory is a file: it exits at start-up, the provider would run on.
        Directory.CreateDirectory(Path.Combine(net, "mix-0-0"));
        await File.WriteAllTextAsync(Path.Combine(net, "mix-0-0", "state"), "not a directory");
        (int code, string text) = await RunAsync("testnet", "--dir", net, "--duration", "20", "--layers", "1", "--per-layer", "1", "--providers", "1", "--authorities", "0", "--base-port", FreePorts.BasePort(5));

        Assert.NotEqual(0, code);
        Assert.Matches("mix-0-0 (failed to start|exited unexpectedly)", text);
        Assert.Contains("last lines of", text, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(net, "nodes.json")), "nodes.json written though a node never became ready");
        Assert.All(Pids(net, "nodes.starting.json"), pid => Assert.False(IsAlive(pid), $"pid {pid} still runs after the testnet returned"));
    }

    [Fact]
    public async Task When_a_later_node_cannot_be_started_the_ones_already_running_are_stopped()
    {
        string net = _dir.Combine("net");

        // mix-0-0's log path is a directory, so its start throws after provider-0 is already running.
        Directory.CreateDirectory(Path.Combine(net, "mix-0-0", "node.log"));
        (int code, string text) = await RunAsync("testnet", "--dir", net, "--duration", "20", "--layers", "1", "--per-layer", "1", "--providers", "1", "--authorities", "0", "--base-port", FreePorts.BasePort(5));

        Assert.Equal(1, code);
        Assert.Contains("mix-0-0: cannot write", text, StringComparison.Ordinal);
        Assert.Contains("stopping 1 node(s)", text, StringComparison.Ordinal);

        // The network never came up, so there is no nodes.json; the start-up list names the process that ran.
        Assert.False(File.Exists(Path.Combine(net, "nodes.json")));
        using JsonDocument nodes = JsonDocument.Parse(File.ReadAllText(Path.Combine(net, "nodes.starting.json")));
        JsonElement[] entries = [.. nodes.RootElement.EnumerateArray()];
        Assert.Equal(JsonValueKind.Null, entries[1].GetProperty("pid").ValueKind);
        int provider = entries[0].GetProperty("pid").GetInt32();
        Assert.False(IsAlive(provider), $"provider-0 (pid {provider}) still runs after the testnet returned");
    }

    private static async Task<(int Code, string Text)> RunAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();
        int code = await Task.Run(() => MixnodeCommand.Run(args, output)).WaitAsync(Bound);
        Assert.True(stopwatch.Elapsed < Bound);
        return (code, output.ToString());
    }

    private static int[] Pids(string net, string file = "nodes.json")
    {
        using JsonDocument nodes = JsonDocument.Parse(File.ReadAllText(Path.Combine(net, file)));
        return [.. nodes.RootElement.EnumerateArray().Where(n => n.GetProperty("pid").ValueKind == JsonValueKind.Number).Select(n => n.GetProperty("pid").GetInt32())];
    }

    /// <summary>Every node's log, for a failure message: why a node did not stop cleanly is in its own output.</summary>
    private static string NodeLogs(string net) =>
        string.Join(Environment.NewLine, Directory.GetFiles(net, "node.log", SearchOption.AllDirectories)
            .Select(log => $"--- {log}{Environment.NewLine}{string.Join(Environment.NewLine, File.ReadLines(log).TakeLast(40))}"));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
