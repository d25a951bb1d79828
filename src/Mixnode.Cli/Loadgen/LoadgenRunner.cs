using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Mixnode.Cli.Topology;
using Mixnode.Client;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// One loadgen run: load the topology, connect the clients (spread over the providers), build every packet of the
/// Poisson schedule up front, send on schedule while every client drains its mailbox, wait for stragglers, report.
/// The loadgen shares the machine with the nodes it measures, so its own work per packet is kept small: one pacer
/// thread sends for every client (<see cref="LoadgenPacer"/>) and arrivals are counted on the links' receive loops
/// (<see cref="LoadgenReceiver"/>), which also ask for the next message.
/// </summary>
internal sealed class LoadgenRunner
{
    private static readonly TimeSpan s_progressInterval = TimeSpan.FromSeconds(1);

    private readonly LoadgenOptions _options;
    private readonly TextWriter _output;
    private readonly TextWriter _error;

    public LoadgenRunner(LoadgenOptions options, TextWriter output, TextWriter error)
    {
        _options = options;
        _output = output;
        _error = error;
    }

    /// <summary>Exit code: 0 done (whatever was lost), 1 topology or provider problem, 2 bad arguments.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (_options.Validate() is { } argumentError)
        {
            _error.WriteLine(argumentError);
            return 2;
        }

        Bytes32? authority = null;
        if (_options.AuthorityPublicKey is { } given)
        {
            try
            {
                authority = TopologyCommand.ReadAuthority(given);
            }
            catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
            {
                _error.WriteLine($"--authority-pub: {e.Message}");
                return 2;
            }
        }

        var clients = new List<MixnodeClient>();
        try
        {
            NetworkTopology topology = TopologyLoader.Load(_options.TopologyPath, authority, out bool trustedOnFirstUse);
            if (trustedOnFirstUse)
            {
                _error.WriteLine(
                    $"warning: no --authority-pub given; trusting the authority key inside {_options.TopologyPath} (trust on first use: " +
                    $"the signature shows the file is intact, not who made it). Authority: {Convert.ToBase64String(topology.AuthorityKey.AsReadOnlySpan())}");
            }

            _output.WriteLine($"topology: {topology.Document}; {topology.Geometry}");

            // Schedules and statistics first: arrivals are counted from the moment a link is up (an earlier run's
            // leftovers count as foreign).
            double perClientRate = _options.Rate / _options.Clients;
            double[][] schedules = [.. Enumerable.Range(0, _options.Clients).Select(_ => Schedule(perClientRate, _options.DurationSeconds))];
            var statistics = new LoadgenStatistics(Guid.NewGuid(), [.. schedules.Select(s => s.Length)]);
            var receiver = new LoadgenReceiver(statistics);

            // Keys and packets before any link: building takes every core for a while (86 s for 300,000 packets on
            // 2 cores), and links opened after it go straight to sending instead of idling through it.
            NodeDescriptor[] providers = [.. Enumerable.Range(0, _options.Clients).Select(i => topology.Providers[i % topology.Providers.Length])];

            // An unreachable provider (or a wrong key) is reported now, not after a minute of building.
            foreach (NodeDescriptor provider in providers.Distinct())
            {
                await using MixnodeClient probe = await MixnodeClient.ConnectAsync(topology, provider, _options.Link with { Poll = false }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            var keys = new X25519PrivateKey[_options.Clients];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = X25519PrivateKey.Generate();
            }

            ForwardPacket[][] packets;
            try
            {
                packets = Prebuild(topology, keys, providers, schedules, statistics.RunId, cancellationToken);
                for (int i = 0; i < keys.Length; i++)
                {
                    // The client owns its key from here on, also when connecting fails.
                    X25519PrivateKey key = keys[i];
                    keys[i] = null!;
                    clients.Add(await MixnodeClient.ConnectAsync(topology, providers[i], _options.Link, onDelivery: receiver.OnDelivery, key: key, cancellationToken: cancellationToken).ConfigureAwait(false));
                }
            }
            finally
            {
                foreach (X25519PrivateKey? unused in keys)
                {
                    unused?.Dispose();
                }
            }

            _output.WriteLine($"connected {clients.Count} clients to {Math.Min(clients.Count, topology.Providers.Length)} providers");
            return await RunConnectedAsync(topology, clients, packets, schedules, statistics, receiver, cancellationToken).ConfigureAwait(false);
        }
        catch (ClientException e)
        {
            _error.WriteLine($"loadgen: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _error.WriteLine("loadgen: interrupted before sending began");
            return 130;
        }
        finally
        {
            foreach (MixnodeClient client in clients)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Send times of one client's Poisson process of <paramref name="rate"/> per second over the duration, in seconds from the start.</summary>
    public static double[] Schedule(double rate, double durationSeconds)
    {
        var times = new List<double>();
        double t = DelaySampler.NextExponential() / rate;
        while (t < durationSeconds)
        {
            times.Add(t);
            t += DelaySampler.NextExponential() / rate;
        }

        return [.. times];
    }

    /// <summary>Straggler wait when none is given: ten times the mean delay of every hop, plus time for links and polling.</summary>
    public static TimeSpan DefaultDrain(int hops, double meanDelayMs, TimeSpan pollInterval) =>
        TimeSpan.FromMilliseconds((hops * meanDelayMs * 10) + 2000 + pollInterval.TotalMilliseconds);

    /// <summary>
    /// Every packet of the schedule, built before the timed phase so that it measures the network, not the sender's
    /// Sphinx crypto. Recipients are the clients themselves (their keys' public halves), picked at random.
    /// </summary>
    private ForwardPacket[][] Prebuild(NetworkTopology topology, X25519PrivateKey[] keys, NodeDescriptor[] providers, double[][] schedules, Guid runId, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();

        // A stale topology is a clear ClientException here, not an AggregateException out of the parallel loop.
        new PacketBuilder(topology, TimeProvider.System).CurrentEpoch();
        Bytes32[] ids = [.. keys.Select(k => Bytes32.From(k.PublicKey))];
        var packets = new ForwardPacket[keys.Length][];
        Parallel.For(0, keys.Length, new ParallelOptions { CancellationToken = cancellationToken }, c =>
        {
            var builder = new PacketBuilder(topology, TimeProvider.System);
            packets[c] = new ForwardPacket[schedules[c].Length];
            for (int seq = 0; seq < schedules[c].Length; seq++)
            {
                int recipient = RandomNumberGenerator.GetInt32(keys.Length);
                long scheduledTicks = (long)(schedules[c][seq] * Stopwatch.Frequency);
                RoutePlan plan = builder.PlanRoute(providers[c], providers[recipient]);
                var message = new LoadgenMessage(runId, c, seq, scheduledTicks, plan.TotalDelayMs);
                packets[c][seq] = builder.CreateForward(plan, ids[recipient].AsReadOnlySpan(), message.ToBytes());
            }
        });
        int total = packets.Sum(p => p.Length);
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prebuilt {total} packets in {stopwatch.Elapsed.TotalSeconds:F1} s (run {runId})"));
        return packets;
    }

    private async Task<int> RunConnectedAsync(
        NetworkTopology topology,
        List<MixnodeClient> clients,
        ForwardPacket[][] packets,
        double[][] schedules,
        LoadgenStatistics statistics,
        LoadgenReceiver receiver,
        CancellationToken cancellationToken)
    {
        int hops = topology.Layers.Length + 2;
        if (TimeSpan.FromSeconds(_options.DurationSeconds) > topology.EpochPeriod)
        {
            // Packets are built with the current epoch's keys; nodes keep only the previous epoch's key besides their own.
            _error.WriteLine($"warning: the run is longer than an epoch ({topology.EpochPeriod}); packets sent after the next epoch but one will be dropped");
        }

        var pacer = new LoadgenPacer([.. clients.Select(c => new ClientPacketLink(c.Link))], packets, schedules, statistics, TimeProvider.System);
        TimeSpan drain = _options.DrainSeconds is { } d ? TimeSpan.FromSeconds(d) : DefaultDrain(hops, topology.Mixing.MeanDelayMs, _options.Link.PollInterval);

        var progress = new LoadgenProgress(_output);
        double sendingSeconds = _options.DurationSeconds;
        bool interrupted = false;
        long start = 0;
        try
        {
            await progress.RunAsync(SendAndDrainAsync).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: what was measured so far is still worth a report.
            interrupted = true;
            sendingSeconds = Math.Round(Math.Min(sendingSeconds, Stopwatch.GetElapsedTime(start).TotalSeconds), 3);
            _error.WriteLine("loadgen: interrupted; reporting what was measured so far");
        }

        async Task SendAndDrainAsync(Action<ProgressSnapshot> report)
        {
            start = Stopwatch.GetTimestamp();
            Task sending = pacer.RunAsync(start, cancellationToken);
            long lastSent = 0;
            long lastTick = start;
            while (!sending.IsCompleted)
            {
                // Only on the tick: a reading taken just as sending ends covers a sliver of time and shows a silly rate.
                if (await Task.WhenAny(sending, Task.Delay(s_progressInterval, cancellationToken)).ConfigureAwait(false) != sending)
                {
                    Report(report, "sending", start, statistics, ref lastSent, ref lastTick);
                }
            }

            await sending.ConfigureAwait(false);
            long drainStart = Stopwatch.GetTimestamp();
            while (statistics.Outstanding > 0 && Stopwatch.GetElapsedTime(drainStart) < drain)
            {
                // Whole milliseconds, at least one: a sub-millisecond delay completes at once and would spin here.
                double left = Math.Ceiling((drain - Stopwatch.GetElapsedTime(drainStart)).TotalMilliseconds);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(left, 1, s_progressInterval.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
                Report(report, "draining", start, statistics, ref lastSent, ref lastTick);
            }
        }

        receiver.Stop();
        (double[] latencies, double[] minusDelays) = statistics.Samples();
        LoadgenReport result = LoadgenReport.Create(
            statistics.Sent, statistics.Delivered, statistics.Duplicates, latencies, minusDelays, clients.Count, _options.Rate, sendingSeconds, prebuilt: true) with
        {
            Interrupted = interrupted,
            SendFailures = statistics.SendFailures,
            Foreign = statistics.Foreign,
            DrainSeconds = Math.Round(drain.TotalSeconds, 3),
            MeanDelayMs = topology.Mixing.MeanDelayMs,
            Hops = hops,
        };

        progress.WriteReport(result);
        string[] closed = [.. clients.Where(c => !c.Link.IsOpen).Select(c => c.Link.CloseReason ?? "closed")];
        if (closed.Length > 0)
        {
            // Their mailboxes went unread from then on: what was still on its way to them counts as lost.
            _error.WriteLine($"warning: {closed.Length} of {clients.Count} client links closed during the run ({string.Join(", ", closed.GroupBy(r => r).Select(g => $"{g.Key} ×{g.Count()}"))})");
        }

        if (statistics.SendFailures > 0)
        {
            _error.WriteLine($"warning: {statistics.SendFailures} packets could not be sent (a provider closed its link: rate limit?)");
        }

        try
        {
            string reportPath = Path.GetFullPath(_options.ReportPath);
            await File.WriteAllTextAsync(reportPath, result.ToJson() + "\n", CancellationToken.None).ConfigureAwait(false);
            await File.WriteAllTextAsync(reportPath + ".html", LatencyHistogram.Html(result, latencies), CancellationToken.None).ConfigureAwait(false);
            _output.WriteLine($"report: {reportPath} and {reportPath}.html");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _error.WriteLine($"cannot write the report: {e.Message}");
            return 1;
        }

        return interrupted ? 130 : 0;
    }

    private static void Report(Action<ProgressSnapshot> report, string phase, long start, LoadgenStatistics statistics, ref long lastSent, ref long lastTick)
    {
        long now = Stopwatch.GetTimestamp();
        long sent = statistics.Sent;
        double interval = Stopwatch.GetElapsedTime(lastTick, now).TotalSeconds;
        double rate = interval > 0 ? (sent - lastSent) / interval : 0;
        lastSent = sent;
        lastTick = now;
        report(new ProgressSnapshot(phase, Stopwatch.GetElapsedTime(start, now).TotalSeconds, sent, statistics.Delivered, statistics.Duplicates, rate));
    }
}
