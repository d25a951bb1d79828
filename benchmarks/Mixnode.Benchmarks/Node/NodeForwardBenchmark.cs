using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Mixnode.Cli.Bench;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Benchmarks.Node;

/// <summary>
/// <c>node-forward [--seconds S] [--packets N] [--warmup W] [--window K] [--workers C] [--bench-seconds B] [--set KEY=VALUE]… [--scrape URL] [--alloc-trace] [--json]</c>:
/// one mix node forwarding pre-built packets over loopback, socket to socket.
/// <list type="bullet">
/// <item>A temporary network (keys + signed topology through the real CLI commands): mix0 (under test), sink, feeder.</item>
/// <item>mix0 runs in a child process (<see cref="NodeForwardChild"/>) so its allocations and CPU are its own.</item>
/// <item>N packets are built before anything is timed: route mix0 (NodeDelay 0) → sink, the current epoch's key.</item>
/// <item>The feeder opens a link to mix0 as a topology member and sends as fast as the link accepts, with at most
///   K packets in flight (sent but not yet counted at the sink): the node runs saturated without overflowing
///   its bounded queues, so what is measured is its forwarding capacity, not how it sheds a flood.</item>
/// <item>The sink (<see cref="SinkListener"/>) accepts mix0's outbound link and counts packets.</item>
/// <item>After W packets reached the sink (warm-up: JIT, tiering, pools, link set-up) the steady phase runs for S
///   seconds or until the feeder is about to run dry; rates, drops, node CPU and node allocations are deltas over it.</item>
/// <item>Before and after, the all-cores unwrap rate of <c>mixnode bench</c> (same code, same process) for the ratio.</item>
/// </list>
/// </summary>
internal static class NodeForwardBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        double seconds = Option(args, "--seconds", 4);
        int packets = (int)Option(args, "--packets", 160_000);
        int warmup = (int)Option(args, "--warmup", 20_000);
        int window = (int)Option(args, "--window", 2048);
        int workers = (int)Option(args, "--workers", Environment.ProcessorCount);
        double benchSeconds = Option(args, "--bench-seconds", 5);
        bool json = args.Contains("--json");
        if (packets <= warmup + window)
        {
            Console.Error.WriteLine("--packets must exceed --warmup + --window");
            return 2;
        }

        SphinxGeometry geometry = SphinxGeometry.Default;
        (double unwrapBefore, double unwrapCpuBefore) = benchSeconds > 0 ? AllCoresUnwrap(geometry, benchSeconds) : (double.NaN, double.NaN);

        using BenchNetwork network = BenchNetwork.Create();
        long epoch = new EpochClock(TimeProvider.System).Current;
        var build = Stopwatch.StartNew();
        byte[][] built = BuildPackets(network, geometry, epoch, packets);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"built {packets:N0} packets ({geometry.PacketLength} B, route mix0 → sink, NodeDelay 0) in {build.Elapsed.TotalSeconds:F1} s"));

        if (args.Contains("--check"))
        {
            MixKey key = new NodeKeyStore(network.KeysDirectory("mix0")).TryLoadMixKey(epoch)!;
            byte[] copy = (byte[])built[0].Clone();
            UnwrapResult r = SphinxUnwrapper.Unwrap(geometry, key.PrivateKey, copy, out UnwrappedPacket u);
            Console.WriteLine($"check: {r} {u.Kind} next={u.Commands.NextNodeId} sink={network["sink"].Id} mix0={network["mix0"].Id}");
        }

        var settings = new LinkSessionSettings(WireFraming.ForMixLink(geometry), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval);
        using var credits = new SemaphoreSlim(window, int.MaxValue);
        await using var sink = new SinkListener(network.EndPoint("sink"), ReadLinkKey(network, "sink"), settings) { PacketArrived = () => credits.Release() };
        // --set KEY=VALUE (repeatable): any node setting, e.g. Mixnode:ReplayFilterCapacity=1000000.
        string[] extra = [.. args.Select((a, i) => (a, i)).Where(p => p.a == "--set" && p.i + 1 < args.Length).Select(p => args[p.i + 1])];
        await using var node = ChildNode.Start(network.NodeSettings(workers, extra), args.Contains("--alloc-trace"));
        await node.WaitReadyAsync().ConfigureAwait(false);

        // --scrape URL: a Prometheus-style scraper reading the node's /metrics every second for the whole run, to
        // measure what telemetry costs while it is being exported.
        using var scraping = new CancellationTokenSource();
        int scrapes = 0;
        Task scraper = OptionText(args, "--scrape") is { } scrapeUrl ? Task.Run(async () =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            while (!scraping.IsCancellationRequested)
            {
                try
                {
                    _ = await http.GetStringAsync(new Uri(scrapeUrl), scraping.Token).ConfigureAwait(false);
                    Interlocked.Increment(ref scrapes);
                    await Task.Delay(TimeSpan.FromSeconds(1), scraping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }) : Task.CompletedTask;

        await using LinkSession feederLink = await ConnectFeederAsync(network, settings).ConfigureAwait(false);
        long stalls = 0;
        long sent = 0;
        Task feeder = Task.Run(async () =>
        {
            // Written in bursts and flushed once per burst (as the node's own outbound links do), so the
            // feeder spends little of the CPU the node needs: a flush when 16 frames are written or when it
            // must wait for credit.
            int unflushed = 0;
            foreach (byte[] packet in built)
            {
                // A credit comes back with each packet counted at the sink; a packet the node dropped never
                // returns its credit, so after a second without one the feeder goes on (and counts a stall).
                if (!credits.Wait(0))
                {
                    if (unflushed > 0 && !await feederLink.FlushPacketsAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    unflushed = 0;
                    if (!await credits.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref stalls);
                    }
                }

                if (!await feederLink.WritePacketAsync(packet).ConfigureAwait(false))
                {
                    break;
                }

                Interlocked.Increment(ref sent);
                if (++unflushed == 16)
                {
                    unflushed = 0;
                    if (!await feederLink.FlushPacketsAsync().ConfigureAwait(false))
                    {
                        break;
                    }
                }
            }

            await feederLink.FlushPacketsAsync().ConfigureAwait(false);
        });

        // Warm-up.
        if (!await WaitAsync(() => sink.Packets >= warmup, TimeSpan.FromSeconds(120), feeder).ConfigureAwait(false))
        {
            NodeStats failed = await node.StatsAsync().ConfigureAwait(false);
            Console.Error.WriteLine($"warm-up did not complete: sent {Interlocked.Read(ref sent)}, arrived {sink.Packets}; node received {failed.Received}, forwarded {failed.Forwarded}, dropped {string.Join(", ", failed.Dropped.Select(d => $"{d.Key}={d.Value}"))}");
            return 1;
        }

        using Process self = Process.GetCurrentProcess();
        Snapshot a = await Snapshot.TakeAsync(sink, node, self).ConfigureAwait(false);
        int dry = packets - window - 1000;
        await WaitAsync(() => Stopwatch.GetElapsedTime(a.Timestamp).TotalSeconds >= seconds || sink.Packets >= dry, TimeSpan.FromSeconds(seconds + 1), feeder).ConfigureAwait(false);
        Snapshot b = await Snapshot.TakeAsync(sink, node, self).ConfigureAwait(false);

        await scraping.CancelAsync().ConfigureAwait(false);
        await scraper.ConfigureAwait(false);
        if (scrapes > 0)
        {
            Console.Error.WriteLine($"scraped /metrics {scrapes} times");
        }

        await feederLink.SendDisconnectAsync().ConfigureAwait(false);
        feederLink.Close(Mixnode.Links.LinkCloseReason.Closed);
        await feeder.ConfigureAwait(false);
        await node.QuitAsync().ConfigureAwait(false);

        (double unwrapAfter, double unwrapCpuAfter) = benchSeconds > 0 ? AllCoresUnwrap(geometry, benchSeconds) : (double.NaN, double.NaN);
        var report = Report.From(a, b, workers, window, unwrapBefore, unwrapAfter, (unwrapCpuBefore + unwrapCpuAfter) / 2, Interlocked.Read(ref stalls));
        report.Print(Console.Out);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(report));
        }

        return 0;
    }

    /// <summary>
    /// The all-cores unwrap rate of <c>mixnode bench</c> (same code, in this process while the node idles), and
    /// the CPU time one unwrap took: this process's CPU time over the call (its 0.4 s warm-up included, at the
    /// same rate) ÷ the unwraps done. The CPU figure does not move when other tenants take cores away.
    /// </summary>
    private static (double Rate, double CpuMicroseconds) AllCoresUnwrap(SphinxGeometry geometry, double seconds)
    {
        using var bench = new BenchPacket(geometry);
        using Process self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        long began = Stopwatch.GetTimestamp();
        double rate = ThroughputMeter.UnwrapsPerSecond(bench, TimeSpan.FromSeconds(seconds), Environment.ProcessorCount);
        double wall = Stopwatch.GetElapsedTime(began).TotalSeconds;
        self.Refresh();
        double cpu = (self.TotalProcessorTime - cpuBefore).TotalMicroseconds / (rate * wall);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mixnode bench unwrap, {Environment.ProcessorCount} threads: {rate:N0} /s ({cpu:F1} µs CPU per unwrap)"));
        return (rate, cpu);
    }

    private static byte[][] BuildPackets(BenchNetwork network, SphinxGeometry geometry, long epoch, int count)
    {
        NodeDescriptor mix = network["mix0"];
        NodeDescriptor sink = network["sink"];
        byte[] recipient = RandomNumberGenerator.GetBytes(32);
        // Copied to arrays first: a span over a struct property's temporary copy must not outlive the statement.
        byte[] mixId = mix.Id.AsReadOnlySpan().ToArray();
        byte[] mixKey = mix.MixKeys[epoch].AsReadOnlySpan().ToArray();
        byte[] sinkId = sink.Id.AsReadOnlySpan().ToArray();
        byte[] sinkKey = sink.MixKeys[epoch].AsReadOnlySpan().ToArray();
        PathHop[] path =
        [
            new(mixId, mixKey, RoutingCommands.Delay(0)),
            new(sinkId, sinkKey, RoutingCommands.ToRecipient(recipient)),
        ];
        byte[][] packets = new byte[count][];
        Parallel.For(0, count, () => new byte[geometry.ForwardPayloadLength], (i, _, message) =>
        {
            RandomNumberGenerator.Fill(message);
            packets[i] = new byte[geometry.PacketLength];
            SphinxPacketBuilder.CreatePacket(geometry, path, message, packets[i]);
            return message;
        }, _ => { });
        return packets;
    }

    private static X25519PrivateKey ReadLinkKey(BenchNetwork network, string member) =>
        KeyFile.ReadX25519(Path.Combine(network.KeysDirectory(member), NodeKeyStore.LinkKeyFile));

    private static async Task<LinkSession> ConnectFeederAsync(BenchNetwork network, LinkSessionSettings settings)
    {
        byte[] expected = network["mix0"].LinkKey.AsReadOnlySpan().ToArray();
        using X25519PrivateKey key = ReadLinkKey(network, "feeder");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(network.EndPoint("mix0")).ConfigureAwait(false);
        var session = new LinkSession(new SocketPipeConnection(socket, 1 << 20), settings, TimeProvider.System, initiator: true);
        session.Start();
        if (!await session.HandshakeAsync(key, k => k.Span.SequenceEqual(expected)).ConfigureAwait(false))
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException("the feeder's handshake with mix0 failed");
        }

        return session;
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, Task feeder)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout || (feeder.IsCompleted && !condition()))
            {
                if (feeder.IsFaulted)
                {
                    await feeder.ConfigureAwait(false);
                }

                return condition();
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        return true;
    }

    private static string? OptionText(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static double Option(string[] args, string name, double fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? double.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    internal sealed record Snapshot(long Timestamp, long SinkPackets, NodeStats Node, double SelfCpuMilliseconds)
    {
        public static async Task<Snapshot> TakeAsync(SinkListener sink, ChildNode node, Process self)
        {
            long timestamp = Stopwatch.GetTimestamp();
            long arrived = sink.Packets;
            self.Refresh();
            double cpu = self.TotalProcessorTime.TotalMilliseconds;
            NodeStats stats = await node.StatsAsync().ConfigureAwait(false);
            return new Snapshot(timestamp, arrived, stats, cpu);
        }
    }

    /// <summary>What one run measured over its steady phase.</summary>
    internal sealed record Report(
        double Seconds,
        long Forwarded,
        double ForwardedPerSecond,
        long NodeReceived,
        long NodeForwarded,
        Dictionary<string, long> Drops,
        double NodeCpuCores,
        double NodeCpuMicrosecondsPerPacket,
        double HarnessCpuCores,
        double NodeAllocatedBytesPerPacket,
        int NodeGen0,
        int NodeGen1,
        int NodeGen2,
        double UnwrapAllCoresBefore,
        double UnwrapAllCoresAfter,
        double Ratio,
        double UnwrapCpuMicroseconds,
        double CpuRatio,
        int Workers,
        int Window,
        long FeederStalls)
    {
        public static Report From(Snapshot a, Snapshot b, int workers, int window, double before, double after, double unwrapCpu, long stalls)
        {
            double seconds = Stopwatch.GetElapsedTime(a.Timestamp, b.Timestamp).TotalSeconds;
            long forwarded = b.SinkPackets - a.SinkPackets;
            long nodeForwarded = b.Node.Forwarded - a.Node.Forwarded;
            var drops = b.Node.Dropped.ToDictionary(d => d.Key, d => d.Value - a.Node.Dropped.GetValueOrDefault(d.Key));
            double nodeCpu = b.Node.CpuMilliseconds - a.Node.CpuMilliseconds;
            double rate = forwarded / seconds;
            double reference = double.IsNaN(after) ? before : double.IsNaN(before) ? after : (before + after) / 2;
            return new Report(
                Math.Round(seconds, 3),
                forwarded,
                Math.Round(rate, 1),
                b.Node.Received - a.Node.Received,
                nodeForwarded,
                drops,
                Math.Round(nodeCpu / 1000 / seconds, 3),
                Math.Round(nodeCpu * 1000 / Math.Max(1, nodeForwarded), 2),
                Math.Round((b.SelfCpuMilliseconds - a.SelfCpuMilliseconds) / 1000 / seconds, 3),
                Math.Round((double)(b.Node.AllocatedBytes - a.Node.AllocatedBytes) / Math.Max(1, nodeForwarded), 2),
                b.Node.Gen0 - a.Node.Gen0,
                b.Node.Gen1 - a.Node.Gen1,
                b.Node.Gen2 - a.Node.Gen2,
                Math.Round(before, 1),
                Math.Round(after, 1),
                Math.Round(rate / reference, 3),
                Math.Round(unwrapCpu, 2),
                Math.Round(unwrapCpu / (nodeCpu * 1000 / Math.Max(1, nodeForwarded)), 3),
                workers,
                window,
                stalls);
        }

        public void Print(TextWriter output)
        {
            CultureInfo c = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(c, $"steady phase: {Seconds:F2} s, {Forwarded:N0} packets at the sink"));
            output.WriteLine(string.Create(c, $"  forwarded:            {ForwardedPerSecond,10:N0} /s   ({Ratio:P1} of the all-cores unwrap rate {UnwrapAllCoresBefore:N0} / {UnwrapAllCoresAfter:N0} /s before / after)"));
            output.WriteLine(string.Create(c, $"  node received / forwarded (its counters): {NodeReceived:N0} / {NodeForwarded:N0}; drops: {(Drops.Count == 0 ? "none" : string.Join(", ", Drops.Select(d => $"{d.Key}={d.Value}")))}; feeder stalls: {FeederStalls}"));
            output.WriteLine(string.Create(c, $"  node CPU:             {NodeCpuCores,10:F2} cores, {NodeCpuMicrosecondsPerPacket:F1} µs per packet ({Workers} workers)"));
            output.WriteLine(string.Create(c, $"  CPU-normalised:       {CpuRatio,10:P1} (unwrap {UnwrapCpuMicroseconds:F1} µs CPU ÷ node {NodeCpuMicrosecondsPerPacket:F1} µs CPU per packet: the ratio with the cores to itself)"));
            output.WriteLine(string.Create(c, $"  feeder + sink CPU:    {HarnessCpuCores,10:F2} cores"));
            output.WriteLine(string.Create(c, $"  node allocations:     {NodeAllocatedBytesPerPacket,10:F2} B per packet; GCs gen0/1/2: {NodeGen0}/{NodeGen1}/{NodeGen2}"));
        }
    }

    /// <summary>The node process: <c>node-forward-child</c> of this same executable, commands on stdin, answers on stdout.</summary>
    internal sealed class ChildNode : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _answers = Channel.CreateUnbounded<string>();

        private ChildNode(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    _answers.Writer.TryComplete();
                }
                else if (e.Data.StartsWith(NodeForwardChild.Prefix, StringComparison.Ordinal))
                {
                    _answers.Writer.TryWrite(e.Data[NodeForwardChild.Prefix.Length..]);
                }
                else
                {
                    Console.Error.WriteLine("[node] " + e.Data);
                }
            };
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    Console.Error.WriteLine("[node] " + e.Data);
                }
            };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public static ChildNode Start(IEnumerable<string> settings, bool allocTrace)
        {
            string host = Environment.ProcessPath!;
            var start = new ProcessStartInfo(host)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            {
                start.ArgumentList.Add(typeof(ChildNode).Assembly.Location);
            }

            if (allocTrace)
            {
                start.Environment[NodeForwardChild.AllocTraceVariable] = "1";
            }

            // The node runs as `mixnode run` runs: without tiered compilation (src/Mixnode.Cli/Mixnode.Cli.csproj).
            if (Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is null)
            {
                start.Environment["DOTNET_TieredCompilation"] = "0";
            }

            start.ArgumentList.Add("node-forward-child");
            foreach (string setting in settings)
            {
                start.ArgumentList.Add(setting);
            }

            return new ChildNode(Process.Start(start)!);
        }

        public async Task WaitReadyAsync()
        {
            string answer = await _answers.Reader.ReadAsync().ConfigureAwait(false);
            if (answer != "ready")
            {
                throw new InvalidOperationException("node: " + answer);
            }
        }

        public async Task<NodeStats> StatsAsync()
        {
            await _process.StandardInput.WriteLineAsync("stats").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            string answer = await _answers.Reader.ReadAsync().ConfigureAwait(false);
            return JsonSerializer.Deserialize<NodeStats>(answer["stats ".Length..])!;
        }

        public async Task QuitAsync()
        {
            await _process.StandardInput.WriteLineAsync("quit").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
