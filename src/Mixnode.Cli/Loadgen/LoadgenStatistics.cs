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
}

/// <summary>
/// Sent and delivered messages of one run, indexed by (client, sequence): the send time of each, how many times it
/// arrived, and the latencies of first arrivals. Thread-safe: senders and receivers of every client record at once.
/// </summary>
internal sealed class LoadgenStatistics
{
    private readonly Guid _runId;
    private readonly long[][] _sentAt;
    private readonly long[][] _delaySumMs;
    private readonly int[][] _arrivals;
    private readonly List<double> _latenciesMs = [];
    private readonly List<double> _latenciesMinusDelaysMs = [];
    private readonly Lock _lock = new();
    private long _sent;
    private long _delivered;
    private long _duplicates;
    private long _foreign;
    private long _sendFailures;

    public LoadgenStatistics(Guid runId, IReadOnlyList<int> messagesPerClient)
    {
        ArgumentNullException.ThrowIfNull(messagesPerClient);
        _runId = runId;
        _sentAt = [.. messagesPerClient.Select(n => new long[n])];
        _delaySumMs = [.. messagesPerClient.Select(n => new long[n])];
        _arrivals = [.. messagesPerClient.Select(n => new int[n])];
    }

    /// <summary>The run whose messages count; anything else in a mailbox is foreign.</summary>
    public Guid RunId => _runId;

    public long Sent => Interlocked.Read(ref _sent);

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Messages that are not of this run (an earlier run's leftovers in a mailbox) or were never sent.</summary>
    public long Foreign => Interlocked.Read(ref _foreign);

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    /// <summary>Sent but not (yet) delivered.</summary>
    public long Outstanding => Sent - Delivered;

    public void RecordSent(int client, int sequence, long timestamp, long delaySumMs)
    {
        _delaySumMs[client][sequence] = delaySumMs;
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

    /// <summary>Counts something in a mailbox that is no loadgen message at all.</summary>
    public void RecordForeign() => Interlocked.Increment(ref _foreign);

    /// <summary>Counts an arrival at <paramref name="timestamp"/> (Stopwatch ticks).</summary>
    public DeliveryOutcome RecordArrival(in LoadgenMessage message, long timestamp)
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

        if (Interlocked.Increment(ref _arrivals[message.ClientIndex][message.Sequence]) > 1)
        {
            Interlocked.Increment(ref _duplicates);
            return DeliveryOutcome.Duplicate;
        }

        double latency = Stopwatch.GetElapsedTime(sentAt, timestamp).TotalMilliseconds;
        lock (_lock)
        {
            _latenciesMs.Add(latency);
            _latenciesMinusDelaysMs.Add(latency - _delaySumMs[message.ClientIndex][message.Sequence]);
        }

        Interlocked.Increment(ref _delivered);
        return DeliveryOutcome.Delivered;
    }

    public (double[] Latencies, double[] LatenciesMinusDelays) Samples()
    {
        lock (_lock)
        {
            return ([.. _latenciesMs], [.. _latenciesMinusDelaysMs]);
        }
    }
}
