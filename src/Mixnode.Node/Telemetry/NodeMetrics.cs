using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mixnode.Links.Wire;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Node.Telemetry;

/// <summary>
/// Every instrument of the node, on the meter <c>Mixnode</c>. Aggregates only: tags come from closed sets
/// (<see cref="DropReason"/>, <see cref="LinkCloseReason"/>, a link direction, a queue name), never from a
/// peer, a packet or a user. Created from <see cref="IMeterFactory"/> so tests can collect what it records.
/// </summary>
public sealed class NodeMetrics
{
    public const string MeterName = "Mixnode";

    private readonly Counter<long> _received;
    private readonly Counter<long> _forwarded;
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _unwrapDuration;
    private readonly Histogram<double> _mixDelay;
    private readonly UpDownCounter<long> _linksActive;
    private readonly Counter<long> _linksOpened;
    private readonly Counter<long> _linksClosed;
    private readonly Counter<long> _loopsSent;
    private readonly Counter<long> _loopsReturned;
    private readonly Counter<long> _coverDropsReceived;
    private readonly Counter<long> _replayFlushFailures;
    private readonly Counter<long> _replayOpenFailures;
    private readonly Counter<long> _ingressDropped;
    private static readonly KeyValuePair<string, object?>[] s_laneMix = [new("lane", "mix")];
    private static readonly KeyValuePair<string, object?>[] s_laneClient = [new("lane", "client")];
    private readonly Counter<long> _mailboxDropped;
    private readonly Counter<long> _retrievalsRefused;
    private readonly KeyValuePair<string, object?>[][] _mailboxDropTags;
    private readonly KeyValuePair<string, object?>[][] _retrievalRefusedTags;
    private readonly KeyValuePair<string, object?>[][] _dropTags;
    private readonly KeyValuePair<string, object?>[][] _closeTags;
    private readonly List<(KeyValuePair<string, object?> Tag, Func<long> Depth)> _queues = [];
    private Func<NodeGauges>? _gauges;
    private Func<(long Count, long Bytes)>? _mailboxes;
    private static readonly KeyValuePair<string, object?>[] s_peersUp = [new("state", "up")];
    private static readonly KeyValuePair<string, object?>[] s_peersDown = [new("state", "down")];
    private static readonly KeyValuePair<string, object?>[][] s_replayKeyTags = [.. Enum.GetValues<ReplayFilterKey>().Select(k => new KeyValuePair<string, object?>[] { new("key", k.ToTag()) })];
    private static readonly KeyValuePair<string, object?>[] s_inbound = [new("direction", "inbound")];
    private static readonly KeyValuePair<string, object?>[] s_outbound = [new("direction", "outbound")];

    public NodeMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        _received = Meter.CreateCounter<long>("mixnode.packets.received", "{packet}", "Sphinx packets taken off links.");
        _forwarded = Meter.CreateCounter<long>("mixnode.packets.forwarded", "{packet}", "Packets sent on to their next hop.");
        _delivered = Meter.CreateCounter<long>("mixnode.packets.delivered", "{packet}", "Packets handed to the delivery sink at the last hop.");
        _dropped = Meter.CreateCounter<long>("mixnode.packets.dropped", "{packet}", "Packets dropped on purpose, by reason.");
        // Bucket advice: the SDK's default boundaries (0 to 10,000) are for milliseconds and would put every unwrap
        // (tens of microseconds) and every mix delay (milliseconds to seconds) into the first bucket.
        _unwrapDuration = Meter.CreateHistogram("mixnode.unwrap.duration", "s", "Time to unwrap one packet (all keys tried).", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [10e-6, 20e-6, 30e-6, 50e-6, 75e-6, 100e-6, 200e-6, 500e-6, 1e-3, 5e-3, 0.05] });
        _mixDelay = Meter.CreateHistogram("mixnode.mix.delay", "s", "Time a packet was held by the mixer.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60] });
        _linksActive = Meter.CreateUpDownCounter<long>("mixnode.links.active", "{link}", "Authenticated links, by direction.");
        _linksOpened = Meter.CreateCounter<long>("mixnode.links.opened", "{link}", "Links that completed their handshake, by direction.");
        _linksClosed = Meter.CreateCounter<long>("mixnode.links.closed", "{link}", "Links closed or refused, by reason.");
        _loopsSent = Meter.CreateCounter<long>("mixnode.cover.loops.sent", "{packet}", "Loop cover packets this node sent through the network to itself.");
        _loopsReturned = Meter.CreateCounter<long>("mixnode.cover.loops.returned", "{packet}", "This node's loop cover packets that came back.");
        _coverDropsReceived = Meter.CreateCounter<long>("mixnode.cover.drops.received", "{packet}", "Clients' drop cover packets that ended here (providers).");
        _ingressDropped = Meter.CreateCounter<long>("mixnode.ingress.dropped", "{packet}", "Packets dropped because their ingress lane (mix links or clients) was full, by lane (also counted as packets.dropped overload).");
        _replayFlushFailures = Meter.CreateCounter<long>("mixnode.replay.filter.flush_failures", "{flush}", "Background flushes (msync) of a replay filter that failed; retried at the next interval.");
        _replayOpenFailures = Meter.CreateCounter<long>("mixnode.replay.filter.open_failures", "{filter}", "Replay filters of a usable mix key found missing, damaged or replaced while running (that key's packets are refused).");
        Meter.CreateObservableGauge("mixnode.queue.depth", ReadQueueDepths, "{packet}", "Packets waiting in a bounded queue, by queue (\"mix\" is the mixer's pool).");
        Meter.CreateObservableGauge("mixnode.epoch", () => Read(g => g.Epoch), "{epoch}", "The current key epoch (network-wide time, the same at every node).");
        Meter.CreateObservableGauge("mixnode.replay.filter.fill_ratio", () => ReadReplayFilters(r => r.Fill), "1", "Entries in each open replay filter over its capacity, by key (previous, current, next).");
        Meter.CreateObservableGauge("mixnode.replay.filter.false_positive_ratio", () => ReadReplayFilters(r => r.FalsePositiveRate), "1", "Estimated chance that each open replay filter refuses a new packet as a replay, by key (previous, current, next).");
        Meter.CreateObservableGauge("mixnode.cover.loops.return_ratio", () => Read(g => g.LoopReturnRatio), "1", "Share of the node's loops of the last completed epoch that came back (absent while there is none).");
        Meter.CreateObservableGauge("mixnode.links.peers", ReadPeers, "{peer}", "Next-layer peers by link state (up: link established; down: connecting or backing off).");
        _dropTags = [.. Enum.GetValues<DropReason>().Select(r => new KeyValuePair<string, object?>[] { new("reason", r.ToTag()) })];
        _closeTags = [.. Enum.GetValues<LinkCloseReason>().Select(r => new KeyValuePair<string, object?>[] { new("reason", r.ToTag()) })];
        _mailboxDropped = Meter.CreateCounter<long>("mixnode.mailbox.dropped", "{message}", "Messages a provider's mailboxes refused or expired, by reason.");
        _retrievalsRefused = Meter.CreateCounter<long>("mixnode.retrievals.refused", "{request}", "Client retrievals answered Empty instead of parked, by reason.");
        Meter.CreateObservableGauge("mixnode.mailbox.count", () => ReadMailboxes(m => m.Count), "{mailbox}", "Providers: mailboxes that exist now.");
        Meter.CreateObservableGauge("mixnode.mailbox.stored_bytes", () => ReadMailboxes(m => m.Bytes), "By", "Providers: bytes held by stored messages, queued or handed out and not yet acknowledged (Delivery:MaxStoredBytes bounds it).");
        _mailboxDropTags = [.. Enum.GetValues<MailboxDropReason>().Select(r => new KeyValuePair<string, object?>[] { new("reason", r.ToTag()) })];
        _retrievalRefusedTags = [.. Enum.GetValues<RetrievalRefusedReason>().Select(r => new KeyValuePair<string, object?>[] { new("reason", r.ToTag()) })];
    }

    public Meter Meter { get; }

    public void PacketReceived() => _received.Add(1);

    public void PacketForwarded() => _forwarded.Add(1);

    public void PacketDelivered() => _delivered.Add(1);

    public void PacketDropped(DropReason reason) => _dropped.Add(1, _dropTags[(int)reason]);

    public void LoopSent() => _loopsSent.Add(1);

    public void LoopReturned() => _loopsReturned.Add(1);

    public void CoverDropReceived() => _coverDropsReceived.Add(1);

    public void ReplayFlushFailed() => _replayFlushFailures.Add(1);

    public void ReplayFilterOpenFailed() => _replayOpenFailures.Add(1);

    /// <summary>A packet refused because its ingress lane was full (the caller also counts it as an overload drop).</summary>
    internal void IngressDropped(Unwrap.IngressLane lane) => _ingressDropped.Add(1, lane == Unwrap.IngressLane.Mix ? s_laneMix : s_laneClient);

    public void MailboxDropped(MailboxDropReason reason, int count = 1) => _mailboxDropped.Add(count, _mailboxDropTags[(int)reason]);

    public void RetrievalRefused(RetrievalRefusedReason reason) => _retrievalsRefused.Add(1, _retrievalRefusedTags[(int)reason]);

    /// <summary>Registers the provider's mailboxes (how many, how many bytes), read at each collection.</summary>
    public void ObserveMailboxes(Func<(long Count, long Bytes)> mailboxes) => Volatile.Write(ref _mailboxes, mailboxes);

    private IEnumerable<Measurement<long>> ReadMailboxes(Func<(long Count, long Bytes), long> pick) =>
        Volatile.Read(ref _mailboxes) is { } mailboxes ? [new Measurement<long>(pick(mailboxes()))] : [];

    /// <summary>
    /// One unwrap (or batch) and one mix delay in this many are recorded in their histograms: each record takes the
    /// exporter's lock and a bucket search, which at tens of thousands of packets a second cost a few percent of the
    /// node's CPU (docs/benchmarks.md, "Telemetry"); a regular sample gives the same distribution.
    /// </summary>
    public const int HistogramSampleEvery = 16;

    [ThreadStatic]
    private static uint t_unwrapTick;

    [ThreadStatic]
    private static uint t_mixDelayTick;

    /// <summary>Whether to time this unwrap (or batch): an exporter listens and it is this thread's sampled one.</summary>
    public bool SampleUnwrap() => _unwrapDuration.Enabled && ++t_unwrapTick % HistogramSampleEvery == 0;

    /// <summary>Whether to record this packet's mix delay: an exporter listens and it is this thread's sampled one.</summary>
    public bool SampleMixDelay() => _mixDelay.Enabled && ++t_mixDelayTick % HistogramSampleEvery == 0;

    public void UnwrapTimed(long startTimestamp) =>
        _unwrapDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    /// <summary>A batch of <paramref name="packets"/> unwrapped together: recorded once, as what one of its packets cost.</summary>
    public void UnwrapTimed(long startTimestamp, int packets) =>
        _unwrapDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds / packets);

    public void MixDelayObserved(TimeSpan held) => _mixDelay.Record(held.TotalSeconds);

    public void LinkOpened(bool inbound)
    {
        KeyValuePair<string, object?>[] tags = inbound ? s_inbound : s_outbound;
        _linksOpened.Add(1, tags);
        _linksActive.Add(1, tags);
    }

    public void LinkEnded(bool inbound) => _linksActive.Add(-1, inbound ? s_inbound : s_outbound);

    public void LinkClosed(LinkCloseReason reason) => _linksClosed.Add(1, _closeTags[(int)reason]);

    /// <summary>Registers a queue whose depth is read at each collection (tag <c>queue</c> = a fixed name such as "ingress").</summary>
    public void ObserveQueueDepth(string queue, Func<long> depth)
    {
        lock (_queues)
        {
            _queues.Add((new KeyValuePair<string, object?>("queue", queue), depth));
        }
    }

    /// <summary>Registers the source of the node-wide gauges (epoch, replay filter, loops, peers), read at each collection.</summary>
    public void ObserveNode(Func<NodeGauges> gauges) => Volatile.Write(ref _gauges, gauges);

    private IEnumerable<Measurement<T>> Read<T>(Func<NodeGauges, T?> pick)
        where T : struct
    {
        if (Volatile.Read(ref _gauges) is { } gauges && pick(gauges()) is { } value)
        {
            return [new Measurement<T>(value)];
        }

        return [];
    }

    private IEnumerable<Measurement<double>> ReadReplayFilters(Func<ReplayFilterReading, double> pick)
    {
        if (Volatile.Read(ref _gauges) is not { } gauges)
        {
            return [];
        }

        return [.. gauges().ReplayFilters.Select(r => new Measurement<double>(pick(r), s_replayKeyTags[(int)r.Key]))];
    }

    private IEnumerable<Measurement<int>> ReadPeers()
    {
        if (Volatile.Read(ref _gauges) is not { } gauges)
        {
            return [];
        }

        NodeGauges now = gauges();
        return [new Measurement<int>(now.PeersUp, s_peersUp), new Measurement<int>(now.PeersDown, s_peersDown)];
    }

    private IEnumerable<Measurement<long>> ReadQueueDepths()
    {
        lock (_queues)
        {
            return [.. _queues.Select(q => new Measurement<long>(q.Depth(), q.Tag))];
        }
    }
}
