using System.Diagnostics;

namespace Mixnode.Cli.Loadgen;

/// <summary>What happened to one received loadgen message.</summary>
internal enum DeliveryOutcome
{
    /// <summary>First arrival of a message that was sent: counted, with its latency.</summary>
    Delivered,

    /// <summary>A second (or later) arrival of the same message.</summary>
    Duplicate,

    /// <summary>Not from this run, or names a message that was never sent.</summary>
    Foreign,

    /// <summary>A message of this run in the mailbox of a client it was not addressed to (a routing fault).</summary>
    Misdelivered,
}

/// <summary>
/// Sent and delivered messages of one run, indexed by (sending client, sequence): the send time of each (actual and
/// scheduled), how many times it arrived, when it first arrived, and the latencies of first arrivals in histograms
/// (<see cref="LatencyRecorder"/>: bounded memory however many arrive); and how many drops and loops went.
/// Thread-safe: senders and receivers of every client record at once.
/// </summary>
internal sealed class LoadgenStatistics
{
    private readonly Guid _runId;
    private readonly long[][] _sentAt;
    private readonly long[][] _scheduledAt;
    private readonly long[][] _delaySumMs;
    private readonly int[][] _arrivals;
    private readonly long[][] _firstArrivalAt;
    private long _sent;
    private long _delivered;
    private long _duplicates;
    private long _foreign;
    private long _sendFailures;
    private long _misdelivered;
    private long _dropsSent;
    private long _loopsSent;

    public LoadgenStatistics(Guid runId, IReadOnlyList<int> messagesPerClient)
    {
        ArgumentNullException.ThrowIfNull(messagesPerClient);
        _runId = runId;
        _sentAt = [.. messagesPerClient.Select(n => new long[n])];
        _scheduledAt = [.. messagesPerClient.Select(n => new long[n])];
        _delaySumMs = [.. messagesPerClient.Select(n => new long[n])];
        _arrivals = [.. messagesPerClient.Select(n => new int[n])];
        _firstArrivalAt = [.. messagesPerClient.Select(n => new long[n])];
    }

    /// <summary>The run whose messages count; anything else in a mailbox is foreign.</summary>
    public Guid RunId => _runId;

    public long Sent => Interlocked.Read(ref _sent);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Messages that are not of this run (an earlier run's leftovers in a mailbox) or were never sent.</summary>
    public long Foreign => Interlocked.Read(ref _foreign);

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Messages of this run that arrived at a client other than their recipient (not counted as delivered).</summary>
    public long Misdelivered => Interlocked.Read(ref _misdelivered);

    public long DropsSent => Interlocked.Read(ref _dropsSent);

    public long LoopsSent => Interlocked.Read(ref _loopsSent);

    /// <summary>Sent but not (yet) delivered.</summary>
    public long Outstanding => Sent - Delivered;

    /// <summary>From the actual send to the first arrival: what the network took.</summary>
    public LatencyRecorder Latencies { get; } = new();

    /// <summary>
    /// From the send time the schedule gave to the first arrival: <see cref="Latencies"/> plus however late the sender
    /// was (coordinated omission corrected; see <see cref="RecordSent"/>).
    /// </summary>
    public LatencyRecorder LatenciesCorrected { get; } = new();

    /// <summary><see cref="Latencies"/> less the NodeDelays the client chose; may be negative (early release within a node's quantum).</summary>
    public LatencyRecorder LatenciesMinusDelays { get; } = new();

    /// <summary>
    /// Counts a message handed to its link at <paramref name="timestamp"/> (Stopwatch ticks), which its schedule had
    /// due at <paramref name="scheduledTimestamp"/> (not later than the actual send).
    /// Why the scheduled time, for the corrected latency: the pacer sends open loop on a schedule fixed before the run,
    /// so every message is sent, and one whose sender fell behind (a link that did not take its packets, the pacer
    /// thread off the CPU) goes late. Measured from the actual send, the stall is hidden: the messages behind it look
    /// as fast as the rest (coordinated omission). Measured from the scheduled send, each carries the wait it got, as
    /// a user whose message was held by the sender would see. HdrHistogram's RecordValueWithExpectedInterval is the
    /// fix for a closed-loop tester that sends nothing while it waits: it invents the samples of sends that never
    /// happened, assuming a fixed interval. Here nothing is missing and the gaps are Poisson, so it would count the
    /// late messages twice and make up others.
    /// </summary>
    public void RecordSent(int client, int sequence, long timestamp, long scheduledTimestamp, long delaySumMs)
    {
        _delaySumMs[client][sequence] = delaySumMs;
        _scheduledAt[client][sequence] = Math.Min(scheduledTimestamp, timestamp);
        Volatile.Write(ref _sentAt[client][sequence], timestamp);
        Interlocked.Increment(ref _sent);
    }

    /// <summary>Takes back a <see cref="RecordSent"/> whose send failed.</summary>
    public void RecordSendFailure(int client, int sequence)
    {
        Volatile.Write(ref _sentAt[client][sequence], 0);
        Interlocked.Decrement(ref _sent);
        Interlocked.Increment(ref _sendFailures);
    }

    /// <summary>Counts a drop or loop handed to its link.</summary>
    public void RecordCoverSent(LoadgenPacketKind kind) => Interlocked.Increment(ref CoverCounter(kind));

    /// <summary>Takes back a <see cref="RecordCoverSent"/> whose send failed.</summary>
    public void RecordCoverSendFailure(LoadgenPacketKind kind)
    {
        Interlocked.Decrement(ref CoverCounter(kind));
        Interlocked.Increment(ref _sendFailures);
    }

    /// <summary>Counts something in a mailbox that is no loadgen message at all.</summary>
    public void RecordForeign() => Interlocked.Increment(ref _foreign);

    /// <summary>Counts an arrival at <paramref name="timestamp"/> (Stopwatch ticks) in the mailbox of client <paramref name="recipient"/>.</summary>
    public DeliveryOutcome RecordArrival(in LoadgenMessage message, long timestamp, int recipient)
    {
        if (message.RunId != _runId || (uint)message.ClientIndex >= (uint)_sentAt.Length
            || (uint)message.Sequence >= (uint)_sentAt[message.ClientIndex].Length)
        {
            Interlocked.Increment(ref _foreign);
            return DeliveryOutcome.Foreign;
        }

        long sentAt = Volatile.Read(ref _sentAt[message.ClientIndex][message.Sequence]);
        if (sentAt == 0)
        {
            Interlocked.Increment(ref _foreign);
            return DeliveryOutcome.Foreign;
        }

        if (message.RecipientIndex != recipient)
        {
            Interlocked.Increment(ref _misdelivered);
            return DeliveryOutcome.Misdelivered;
        }

        if (Interlocked.Increment(ref _arrivals[message.ClientIndex][message.Sequence]) > 1)
        {
            Interlocked.Increment(ref _duplicates);
            return DeliveryOutcome.Duplicate;
        }

        Volatile.Write(ref _firstArrivalAt[message.ClientIndex][message.Sequence], timestamp);
        long latency = Microseconds(sentAt, timestamp);
        Latencies.RecordMicroseconds(latency);
        LatenciesCorrected.RecordMicroseconds(Microseconds(_scheduledAt[message.ClientIndex][message.Sequence], timestamp));
        LatenciesMinusDelays.RecordMicroseconds(latency - (_delaySumMs[message.ClientIndex][message.Sequence] * 1000));

        Interlocked.Increment(ref _delivered);
        return DeliveryOutcome.Delivered;
    }

    /// <summary>When each delivered message first arrived (Stopwatch ticks), in no particular order.</summary>
    public long[] ArrivalTimestamps() => [.. _firstArrivalAt.SelectMany(a => a).Where(t => t != 0)];

    /// <summary>Stopwatch ticks from <paramref name="from"/> to <paramref name="to"/> in whole microseconds, rounded.</summary>
    private static long Microseconds(long from, long to) => LatencyRecorder.ToMicroseconds(Stopwatch.GetElapsedTime(from, to).TotalMilliseconds);

    private ref long CoverCounter(LoadgenPacketKind kind)
    {
        switch (kind)
        {
            case LoadgenPacketKind.Drop:
                return ref _dropsSent;
            case LoadgenPacketKind.Loop:
                return ref _loopsSent;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "messages are counted with RecordSent");
        }
    }
}
