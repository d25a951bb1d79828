using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Mixnode.Cli.Topology;
using Mixnode.Client;
using Mixnode.Client.Consensus;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// One loadgen run: load the topology, connect the clients (spread over the providers), plan every client's sends
/// (messages on a Poisson schedule, each to another client; under --cover in Loopix payload slots, with drops and
/// loops), build every packet up front, send on schedule while every client drains its mailbox, wait for
/// stragglers, report (with the timing anonymity of what was delivered).
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
        DirectoryConsensusSource? source = null;
        try
        {
            NetworkTopology topology;
            bool trustedOnFirstUse = false;
            if (_options.AuthoritiesPath is { } authoritiesPath)
            {
                source = new DirectoryConsensusSource(ReadAuthorities(authoritiesPath));

                // The authorities may still be agreeing on the first consensus (loadgen run right after the testnet).
                topology = await source.FetchFirstAsync(TimeProvider.System, TimeSpan.FromSeconds(Math.Max(1, _options.WaitSeconds)), cancellationToken).ConfigureAwait(false);
                _output.WriteLine($"consensus: epoch {topology.Document.Epoch} from {source.Authorities}, threshold-signed; following epochs during the run");
            }
            else
            {
                topology = TopologyLoader.Load(_options.TopologyPath!, authority, out trustedOnFirstUse);
            }

            if (trustedOnFirstUse)
            {
                _error.WriteLine(
                    $"warning: no --authority-pub given; trusting the authority key inside {_options.TopologyPath} (trust on first use: " +
                    $"the signature shows the file is intact, not who made it). Authority: {Convert.ToBase64String(topology.AuthorityKey.AsReadOnlySpan())}");
            }

            _output.WriteLine($"topology: {topology.Document}; {topology.Geometry}");

            CoverRates? cover = null;
            if (_options.Cover)
            {
                cover = ChooseCoverRates(topology);
                if (cover is null)
                {
                    return 2;
                }
            }

            // Schedules and statistics first: arrivals are counted from the moment a link is up (an earlier run's
            // leftovers count as foreign).
            double perClientRate = _options.Rate / _options.Clients;
            double[][] arrivals = [.. Enumerable.Range(0, _options.Clients).Select(_ => Schedule(perClientRate, _options.DurationSeconds))];
            LoadgenCoverPlan[] plans = [.. arrivals.Select(a => cover is { } r
                ? LoadgenCoverPlan.Build(a, r.Payload, r.Loop, _options.DurationSeconds, CoverTrafficOptions.DefaultMaxQueuedMessages, DelaySampler.NextExponential)
                : LoadgenCoverPlan.Direct(a))];
            var statistics = new LoadgenStatistics(Guid.NewGuid(), [.. arrivals.Select(s => s.Length)]);
            var receiver = new LoadgenReceiver(statistics);

            // Keys and packets before any link: building takes every core for a while (86 s for 300,000 packets on
            // 2 cores), and links opened after it go straight to sending instead of idling through it.
            NodeDescriptor[] providers = [.. Enumerable.Range(0, _options.Clients).Select(i => topology.Providers[i % topology.Providers.Length])];

            // An unreachable provider (or a wrong key) is reported now, not after a minute of building; one that is
            // still starting (loadgen run right after the testnet) is waited for, up to --wait.
            LoadgenProviderProbe[] probes = [.. providers.Distinct().Select(provider => new LoadgenProviderProbe(
                provider.Name,
                provider.Addresses.Length > ClientLinkProtocol.ClientAddressIndex ? provider.Addresses[ClientLinkProtocol.ClientAddressIndex] : "(no client address)",
                async ct =>
                {
                    await using MixnodeClient probe = await MixnodeClient.ConnectAsync(topology, provider, _options.Link with { Poll = false }, cancellationToken: ct).ConfigureAwait(false);
                }))];
            await new LoadgenProviderWait(TimeSpan.FromSeconds(_options.WaitSeconds), TimeProvider.System, _output).WaitAsync(probes, cancellationToken).ConfigureAwait(false);

            var keys = new X25519PrivateKey[_options.Clients];
            var markers = new LoopMarker[_options.Clients];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = X25519PrivateKey.Generate();
                markers[i] = new LoopMarker();
            }

            LoadgenPackets packets;
            try
            {
                packets = Prebuild(topology, keys, markers, providers, plans, statistics.RunId, cancellationToken);
                for (int i = 0; i < keys.Length; i++)
                {
                    // The client owns its key and loop marker from here on, also when connecting fails.
                    X25519PrivateKey key = keys[i];
                    LoopMarker marker = markers[i];
                    keys[i] = null!;
                    markers[i] = null!;
                    clients.Add(await MixnodeClient.ConnectAsync(topology, providers[i], _options.Link, onDelivery: receiver.For(i), key: key, loops: marker, cancellationToken: cancellationToken).ConfigureAwait(false));
                }
            }
            finally
            {
                foreach (X25519PrivateKey? unused in keys)
                {
                    unused?.Dispose();
                }

                foreach (LoopMarker? unused in markers)
                {
                    unused?.Dispose();
                }
            }

            _output.WriteLine($"connected {clients.Count} clients to {Math.Min(clients.Count, topology.Providers.Length)} providers");
            return await RunConnectedAsync(topology, source, clients, packets, plans, cover, statistics, receiver, cancellationToken).ConfigureAwait(false);
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

            source?.Dispose();
        }
    }

    /// <summary>authorities.json as an <see cref="AuthoritySet"/>; a <see cref="ClientException"/> naming what is wrong.</summary>
    private static AuthoritySet ReadAuthorities(string path)
    {
        try
        {
            return AuthoritySet.Read(path);
        }
        catch (TopologyException e)
        {
            throw new ClientException($"invalid authorities file {path}: {e.Message}", e);
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
    /// λP and λL per client for --cover: the options' or the document's, λP raised to 1.25 × the per-client message
    /// rate when it is not above it (the queue would grow without bound). Null, with the reason written, when the
    /// packets would not fit in memory.
    /// </summary>
    private CoverRates? ChooseCoverRates(NetworkTopology topology)
    {
        double real = _options.Rate / _options.Clients;
        double payload = _options.PayloadRate ?? topology.Mixing.ClientPayloadRatePerSecond;
        double loop = _options.LoopRate ?? topology.Mixing.ClientLoopRatePerSecond;
        if (payload <= real)
        {
            double raised = real * 1.25;
            _error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: each client offers {real:0.###} messages/s but its payload rate λP is {payload:0.###}/s: the queue would grow without bound. Using λP = {raised:0.###}/s (1.25 ×) instead; pass --payload-rate or fewer messages per client to choose"));
            payload = raised;
        }

        double expected = _options.Clients * _options.DurationSeconds * (payload + loop);
        if (expected > LoadgenOptions.MaxMessages)
        {
            _error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"--cover: {_options.Clients} clients × {_options.DurationSeconds} s × (λP {payload:0.###} + λL {loop:0.###}) ≈ {expected:F0} packets, more than the {LoadgenOptions.MaxMessages} that are built and held in memory: fewer clients, a shorter run or lower rates"));
            return null;
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cover: λP {payload:0.###}/s and λL {loop:0.###}/s per client"));
        return new CoverRates(payload, loop);
    }

    /// <summary>
    /// Every packet of every plan, built before the timed phase so that it measures the network, not the sender's
    /// Sphinx crypto. Each message goes to another client drawn uniformly (its mailbox: the key's public half), to
    /// itself only when it is the only client; drops to a random provider; loops back to the sender's own mailbox.
    /// </summary>
    private LoadgenPackets Prebuild(NetworkTopology topology, X25519PrivateKey[] keys, LoopMarker[] markers, NodeDescriptor[] providers, LoadgenCoverPlan[] plans, Guid runId, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();

        // A stale topology is a clear ClientException here, not an AggregateException out of the parallel loop.
        long epoch = new PacketBuilder(topology, TimeProvider.System).CurrentEpoch();
        var packets = new LoadgenPackets(
            [.. plans.Select(p => p.Slots)],
            [.. keys.Select(k => Bytes32.From(k.PublicKey))],
            markers,
            [.. providers.Select(p => p.Id)],
            runId);
        packets.BuildAll(topology, epoch, cancellationToken);

        int total = packets.Packets.Sum(p => p.Length);
        int drops = plans.Sum(p => p.Slots.Count(s => s.Kind == LoadgenPacketKind.Drop));
        int loops = plans.Sum(p => p.Slots.Count(s => s.Kind == LoadgenPacketKind.Loop));
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"prebuilt {total} packets ({total - drops - loops} messages, {drops} drops, {loops} loops) in {stopwatch.Elapsed.TotalSeconds:F1} s (run {runId})"));
        return packets;
    }

    /// <summary>A client other than <paramref name="sender"/>, drawn uniformly (the sender itself when it is alone).</summary>
    public static int OtherClient(int sender, int clients)
    {
        if (clients <= 1)
        {
            return sender;
        }

        int other = RandomNumberGenerator.GetInt32(clients - 1);
        return other >= sender ? other + 1 : other;
    }

    private async Task<int> RunConnectedAsync(
        NetworkTopology topology,
        DirectoryConsensusSource? source,
        List<MixnodeClient> clients,
        LoadgenPackets packets,
        LoadgenCoverPlan[] plans,
        CoverRates? cover,
        LoadgenStatistics statistics,
        LoadgenReceiver receiver,
        CancellationToken cancellationToken)
    {
        int hops = topology.Layers.Length + 2;
        if (source is null && TimeSpan.FromSeconds(_options.DurationSeconds) > topology.EpochPeriod)
        {
            // Packets are built with the current epoch's keys; nodes keep only the previous epoch's key besides their own.
            _error.WriteLine($"warning: the run is longer than an epoch ({topology.EpochPeriod}); packets sent after the next epoch but one will be dropped");
        }

        var pacer = new LoadgenPacer([.. clients.Select(c => new ClientPacketLink(c.Link))], [.. plans.Select(p => p.Slots)], packets.Packets, statistics, TimeProvider.System);
        LoadgenEpochs? epochs = null;
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
            if (source is not null)
            {
                epochs = LoadgenEpochs.Start(source, topology, packets, DateTimeOffset.UtcNow, _output, cancellationToken);
            }

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
            if (epochs is not null)
            {
                // Everything is sent: no packet left to build; the links stay up through the drain as they were.
                await epochs.DisposeAsync().ConfigureAwait(false);
            }

            long drainStart = Stopwatch.GetTimestamp();
            while (statistics.Outstanding > 0 && Stopwatch.GetElapsedTime(drainStart) < drain)
            {
                // Whole milliseconds, at least one: a sub-millisecond delay completes at once and would spin here.
                double left = Math.Ceiling((drain - Stopwatch.GetElapsedTime(drainStart)).TotalMilliseconds);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(left, 1, s_progressInterval.TotalMilliseconds)), cancellationToken).ConfigureAwait(false);
                Report(report, "draining", start, statistics, ref lastSent, ref lastTick);
            }
        }

        if (epochs is not null)
        {
            await epochs.DisposeAsync().ConfigureAwait(false);
        }

        receiver.Stop();
        long loopsReturned = clients.Sum(c => c.Cover.LoopsReturned);
        LoadgenReport result = LoadgenReport.Create(
            statistics.Sent,
            statistics.Delivered,
            statistics.Duplicates,
            LatencySummary.Of(statistics.Latencies),
            LatencySummary.Of(statistics.LatenciesCorrected),
            LatencySummary.Of(statistics.LatenciesMinusDelays),
            clients.Count,
            _options.Rate,
            sendingSeconds,
            prebuilt: true) with
        {
            Interrupted = interrupted,
            SendFailures = statistics.SendFailures,
            Foreign = statistics.Foreign,
            DrainSeconds = Math.Round(drain.TotalSeconds, 3),
            MeanDelayMs = topology.Mixing.MeanDelayMs,
            Hops = hops,
            Misdelivered = statistics.Misdelivered,
            Cover = cover is not null,
            PayloadRatePerClient = cover?.Payload is { } p ? Math.Round(p, 6) : null,
            LoopRatePerClient = cover?.Loop is { } l ? Math.Round(l, 6) : null,
            DropsSent = statistics.DropsSent,
            LoopsSent = statistics.LoopsSent,
            LoopsReturned = loopsReturned,
            QueueRejected = plans.Sum(p => (long)p.Rejected),
            QueueWaitMs = cover is null ? null : LatencySummary.Of([.. plans.SelectMany(p => p.QueueWaitsSeconds).Select(w => w * 1000)]),
            EpochsSeen = epochs?.EpochChanges,
            PacketsRebuilt = epochs is null ? null : packets.Rebuilt,
        };
        result = WithAnonymity(result, topology.Mixing.Strategy.ToName(), hops, topology.Mixing.MeanDelayMs, pacer.SendTimestamps(), statistics.ArrivalTimestamps(), start);

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

        string reportPath = Path.GetFullPath(_options.ReportPath);
        try
        {
            await File.WriteAllTextAsync(reportPath, result.ToJson() + "\n", CancellationToken.None).ConfigureAwait(false);
            await File.WriteAllTextAsync(reportPath + ".html", LatencyHtmlPage.Html(result, statistics.Latencies), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _error.WriteLine($"cannot write the report: {e.Message}");
            return 1;
        }

        string? plot = await WritePlotAsync(reportPath + ".png", result, statistics.Latencies, statistics.LatenciesCorrected, _error).ConfigureAwait(false);
        _output.WriteLine(plot is null ? $"report: {reportPath} and {reportPath}.html" : $"report: {reportPath}, {reportPath}.html and {plot}");
        return interrupted ? 130 : 0;
    }

    /// <summary>
    /// Draws the percentile plot to <paramref name="path"/>; its path, or null with a one-line warning when it cannot be
    /// drawn or written. The plot is an extra: the JSON and HTML reports are written before it and stand without it,
    /// so nothing Skia throws where its native library is missing or broken fails the run.
    /// </summary>
    public static async Task<string?> WritePlotAsync(string path, LoadgenReport report, LatencyRecorder latencies, LatencyRecorder corrected, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            byte[] png = LatencyPlot.Png(report, latencies, corrected);
            await File.WriteAllBytesAsync(path, png, CancellationToken.None).ConfigureAwait(false);
            return path;
        }
        catch (Exception e)
        {
            // The innermost cause names the missing piece (a DllNotFoundException for libSkiaSharp, say).
            Exception cause = e;
            while (cause.InnerException is { } inner)
            {
                cause = inner;
            }

            // Its first sentence: the loader's message goes on to list every path it tried.
            string message = cause.Message.ReplaceLineEndings(" ").Split(". ", 2)[0].TrimEnd('.');
            if (message.Length > 200)
            {
                message = message[..200] + "…";
            }

            error.WriteLine($"warning: the latency plot was not drawn ({cause.GetType().Name}: {message}); the JSON and HTML reports are complete without it");
            return null;
        }
    }

    /// <summary>
    /// The report with the timing anonymity of its deliveries (<see cref="LoadgenAnonymity"/>): every send the pacer
    /// made against every message's first arrival, under Erlang(hops − 1, mean delay) shifted by the median latency
    /// above the chosen delays (the report's latency_minus_delays_ms p50). Under a timed pool the delays are not Exp(mean) per hop, and no figure is given.
    /// </summary>
    /// <param name="strategy">The network's mixing strategy by name: only under poisson are the delays Exp(mean) per hop.</param>
    /// <param name="sendTimestamps">Every send (Stopwatch ticks), ascending.</param>
    /// <param name="arrivalTimestamps">Every delivered message's first arrival (Stopwatch ticks).</param>
    public static LoadgenReport WithAnonymity(LoadgenReport report, string strategy, int hops, double meanDelayMs, long[] sendTimestamps, long[] arrivalTimestamps, long startTimestamp)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(sendTimestamps);
        ArgumentNullException.ThrowIfNull(arrivalTimestamps);
        if (strategy != MixingStrategyNames.Poisson)
        {
            return report with { AnonymityNote = $"not computed: under {strategy} mixing the path delay is not Exp(mean) per hop" };
        }

        double shiftMs = Math.Max(0, report.LatencyMinusDelaysMs.P50 ?? 0);
        double Seconds(long timestamp) => (timestamp - startTimestamp) / (double)Stopwatch.Frequency;
        LoadgenAnonymityEstimate? estimate = LoadgenAnonymity.Estimate(
            [.. sendTimestamps.Select(Seconds)],
            [.. arrivalTimestamps.Select(Seconds)],
            delayingHops: hops - 1,
            meanDelaySeconds: meanDelayMs / 1000,
            shiftSeconds: shiftMs / 1000);
        if (estimate is null)
        {
            return report with { AnonymityNote = "not computed: no delivery after the warm-up and before the last send" };
        }

        return report with
        {
            AnonymityBits = Math.Round(estimate.Bits, 3),
            AnonymityCandidatesMean = Math.Round(estimate.CandidatesMean, 1),
            AnonymityScored = estimate.Scored,
            AnonymityShiftMs = Math.Round(estimate.ShiftSeconds * 1000, 3),
        };
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

    /// <summary>λP and λL per client under --cover.</summary>
    private sealed record CoverRates(double Payload, double Loop);
}
