using Mixnode.Client;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// Sends every client's prebuilt packets (messages and, under cover, drops and loops: one merged schedule) on their
/// Poisson schedules from one thread of its own: on each tick (about a
/// millisecond) it writes every packet whose time has come to its client's link, in schedule order, then flushes each
/// link it wrote to once. A timer wait and a flush per packet per client cost several thread-pool wake-ups each, taken
/// from the nodes under test that share the machine; this costs one sleep per tick for the whole run. A packet thus
/// leaves up to a tick after its scheduled time. Each message's actual and scheduled send times are both recorded:
/// latency counts from the one, and the corrected latency from the other, which also holds however long the pacer fell
/// behind (<see cref="LoadgenStatistics.RecordSent"/>). A link that does not take its packets (its provider throttling
/// that client) holds up the other clients too; they all send at the same rate, so a provider that throttles one soon
/// throttles the others.
/// </summary>
internal sealed class LoadgenPacer
{
    /// <summary>Packets written to one link before it is flushed even mid-tick (after a stall): the pipe buffers until a flush.</summary>
    public const int MaxBatch = 32;

    private static readonly TimeSpan s_longestSleep = TimeSpan.FromMilliseconds(50);

    private readonly IReadOnlyList<IPacketLink> _links;
    private readonly LoadgenSlot[][] _slots;
    private readonly ForwardPacket[][] _packets;
    private readonly LoadgenStatistics _statistics;
    private readonly TimeProvider _time;
    private readonly Entry[] _order;
    private readonly long[] _sentAt;
    private readonly List<int>[] _unflushed;
    private readonly List<int> _touched = [];
    private int _next;

    /// <summary>Messages only, each client's sent at its schedule.</summary>
    /// <param name="schedules">Per client, the send time of each packet in seconds from the start, ascending.</param>
    public LoadgenPacer(IReadOnlyList<IPacketLink> links, ForwardPacket[][] packets, double[][] schedules, LoadgenStatistics statistics, TimeProvider time)
        : this(links, Slots(packets, schedules), packets, statistics, time)
    {
    }

    /// <param name="slots">Per client, every send (messages, drops, loops) in time order.</param>
    /// <param name="packets">Per client, the packet of each slot (same index).</param>
    public LoadgenPacer(IReadOnlyList<IPacketLink> links, LoadgenSlot[][] slots, ForwardPacket[][] packets, LoadgenStatistics statistics, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(slots);
        ArgumentNullException.ThrowIfNull(packets);
        if (links.Count != packets.Length || links.Count != slots.Length)
        {
            throw new ArgumentException("one link, one packet list and one schedule per client");
        }

        _links = links;
        _slots = slots;
        _packets = packets;
        _statistics = statistics;
        _time = time;
        var order = new List<Entry>();
        for (int c = 0; c < slots.Length; c++)
        {
            if (slots[c].Length != packets[c].Length)
            {
                throw new ArgumentException($"client {c} has {packets[c].Length} packets but {slots[c].Length} send times");
            }

            for (int i = 0; i < slots[c].Length; i++)
            {
                order.Add(new Entry(TimeSpan.FromSeconds(slots[c][i].Seconds).Ticks, c, i));
            }
        }

        // One merged order, so a tick looks only at what is due, however many clients there are. Stable: equal
        // times keep each client's own order.
        _order = [.. order.OrderBy(e => e.Due)];
        _sentAt = new long[_order.Length];
        _unflushed = [.. links.Select(_ => new List<int>())];
    }

    /// <summary>Packets not yet sent (or failed).</summary>
    public int Remaining => _order.Length - _next;

    /// <summary>Time from the start when the next packet is due, or null when every packet has gone.</summary>
    public TimeSpan? NextDue => _next < _order.Length ? TimeSpan.FromTicks(_order[_next].Due) : null;

    /// <summary>
    /// Sends, on a thread of its own, every packet at its time counted from <paramref name="startTimestamp"/>
    /// (of the pacer's <see cref="TimeProvider"/>); completes when all have gone, canceled when
    /// <paramref name="cancellationToken"/> is.
    /// </summary>
    public Task RunAsync(long startTimestamp, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(startTimestamp, cancellationToken);
                done.SetResult();
            }
            catch (OperationCanceledException)
            {
                done.SetCanceled(cancellationToken);
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            // A pacer stuck on a link that no longer reads must not keep the process alive.
            IsBackground = true,
            Name = "loadgen pacer",
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// One tick: writes every packet due by now, counted from <paramref name="startTimestamp"/> (of the pacer's
    /// <see cref="TimeProvider"/>), recording its send time just before (and taking it back if the write or the flush
    /// fails), then flushes each link written to. Waits (blocking) while a link does not take its packets; returns how
    /// many were written.
    /// </summary>
    public int SendDue(long startTimestamp, CancellationToken cancellationToken = default)
    {
        int written = 0;
        long now = _time.GetElapsedTime(startTimestamp).Ticks;
        while (_next < _order.Length && _order[_next].Due <= now)
        {
            int position = _next++;
            Entry entry = _order[position];
            ForwardPacket packet = Volatile.Read(ref _packets[entry.Client][entry.Index]);

            // Recorded before the write: a reply can never beat it, and a failed send is taken back.
            long timestamp = _time.GetTimestamp();
            _sentAt[position] = timestamp;
            LoadgenSlot slot = _slots[entry.Client][entry.Index];
            if (slot.Kind == LoadgenPacketKind.Message)
            {
                _statistics.RecordSent(entry.Client, slot.Sequence, timestamp, startTimestamp + ToTimestamp(entry.Due), packet.TotalDelayMs);
            }
            else
            {
                _statistics.RecordCoverSent(slot.Kind);
            }

            if (!Complete(_links[entry.Client].WritePacketAsync(packet.Packet), cancellationToken))
            {
                TakeBack(position);
                continue;
            }

            written++;
            List<int> unflushed = _unflushed[entry.Client];
            if (unflushed.Count == 0)
            {
                _touched.Add(entry.Client);
            }

            unflushed.Add(position);
            if (unflushed.Count >= MaxBatch)
            {
                Flush(entry.Client, cancellationToken);
            }
        }

        foreach (int client in _touched)
        {
            if (_unflushed[client].Count > 0)
            {
                Flush(client, cancellationToken);
            }
        }

        _touched.Clear();
        return written;
    }

    /// <summary>
    /// When every packet that went was sent (timestamps of the pacer's <see cref="TimeProvider"/>), ascending:
    /// messages and cover alike, as an observer of the senders' links sees them. Call after the run.
    /// </summary>
    public long[] SendTimestamps() => [.. _sentAt.Where(t => t != 0)];

    private void Run(long startTimestamp, CancellationToken cancellationToken)
    {
        while (NextDue is { } due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TimeSpan wait = due - _time.GetElapsedTime(startTimestamp);
            if (wait > TimeSpan.Zero)
            {
                // Whole milliseconds, at least one (what the OS timer gives): a packet goes at most about a tick late.
                double milliseconds = Math.Min(Math.Ceiling(wait.TotalMilliseconds), s_longestSleep.TotalMilliseconds);
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(milliseconds));
                continue;
            }

            SendDue(startTimestamp, cancellationToken);
        }
    }

    /// <summary>TimeSpan ticks as ticks of the pacer's clock (in double: a day of ticks times a GHz clock overflows a long).</summary>
    private long ToTimestamp(long timeSpanTicks) => (long)(timeSpanTicks * ((double)_time.TimestampFrequency / TimeSpan.TicksPerSecond));

    private void Flush(int client, CancellationToken cancellationToken)
    {
        List<int> unflushed = _unflushed[client];
        if (!Complete(_links[client].FlushAsync(), cancellationToken))
        {
            foreach (int position in unflushed)
            {
                TakeBack(position);
            }
        }

        unflushed.Clear();
    }

    private void TakeBack(int position)
    {
        Entry entry = _order[position];
        LoadgenSlot slot = _slots[entry.Client][entry.Index];
        _sentAt[position] = 0;
        if (slot.Kind == LoadgenPacketKind.Message)
        {
            _statistics.RecordSendFailure(entry.Client, slot.Sequence);
        }
        else
        {
            _statistics.RecordCoverSendFailure(slot.Kind);
        }
    }

    private static LoadgenSlot[][] Slots(ForwardPacket[][] packets, double[][] schedules)
    {
        ArgumentNullException.ThrowIfNull(packets);
        ArgumentNullException.ThrowIfNull(schedules);
        return [.. schedules.Select(s => s.Select((t, i) => new LoadgenSlot(t, LoadgenPacketKind.Message, i)).ToArray())];
    }

    /// <summary>The result, waited for on this thread if need be (a provider that does not read, or the send gate held briefly).</summary>
    private static bool Complete(ValueTask<bool> operation, CancellationToken cancellationToken)
    {
        try
        {
            if (operation.IsCompleted)
            {
                return operation.Result;
            }

            Task<bool> task = operation.AsTask();
            task.Wait(cancellationToken);
            return task.Result;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        catch (AggregateException e) when (e.InnerException is ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>A packet's send time (TimeSpan ticks from the start), its client and its index in that client's slots.</summary>
    private readonly record struct Entry(long Due, int Client, int Index);
}
