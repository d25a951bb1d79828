using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Mixing;

/// <summary>
/// Stop-and-go mixing, simple form: each packet leaves at its arrival time plus the NodeDelay its sender
/// chose (Exp(μ)), so the time it already spent in the node counts toward its delay. One timer, set to
/// the earliest due packet, releases everything due; the queue is bounded and drops (counted) when full.
/// Time comes from <see cref="TimeProvider"/> so tests drive it with a fake clock.
/// </summary>
internal sealed class DelayQueue : IDisposable
{
    private readonly PriorityQueue<ScheduledPacket, long> _queue;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly IPacketForwarder _forwarder;
    private readonly NodeMetrics _metrics;
    private readonly ITimer _timer;
    private readonly long _earlyTicks;
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    /// <param name="earlyRelease">
    /// How much before its due time a packet may leave. Timers have millisecond granularity and fire late (the wait
    /// is rounded up, then the timer thread and the thread pool add their own): measured on a local network, 1 ms
    /// of slack left ~1.1 ms of lateness per hop, 2 ms about 0.3 ms. Two milliseconds are immaterial next to delays
    /// drawn from Exp(μ) with μ in the tens of milliseconds, so a node uses 2 ms; tests use zero.
    /// </param>
    public DelayQueue(int capacity, TimeProvider time, IPacketForwarder forwarder, NodeMetrics metrics, TimeSpan earlyRelease = default)
    {
        _earlyTicks = (long)(earlyRelease.TotalSeconds * time.TimestampFrequency);
        _capacity = capacity;
        _time = time;
        _forwarder = forwarder;
        _metrics = metrics;
        _queue = new PriorityQueue<ScheduledPacket, long>(Math.Min(capacity, 4096));
        _timer = time.CreateTimer(static state => ((DelayQueue)state!).ReleaseDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        metrics.ObserveQueueDepth("delay", () => Count);
    }

    public int Count
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Schedules a packet, or forwards it now when it is already due. False (nothing taken) when full.</summary>
    public bool TryEnqueue(in ScheduledPacket packet)
    {
        long releaseAt = packet.DueTimestamp - _earlyTicks;
        if (releaseAt <= _time.GetTimestamp())
        {
            Release(packet);
            return true;
        }

        lock (_queue)
        {
            if (_disposed || _queue.Count >= _capacity)
            {
                return false;
            }

            _queue.Enqueue(packet, packet.DueTimestamp);
            if (releaseAt < _armedFor)
            {
                Arm(releaseAt);
            }
        }

        return true;
    }

    /// <summary>Takes everything still queued (shutdown): the caller returns the buffers.</summary>
    public List<ScheduledPacket> Drain()
    {
        lock (_queue)
        {
            var all = new List<ScheduledPacket>(_queue.Count);
            while (_queue.TryDequeue(out ScheduledPacket packet, out _))
            {
                all.Add(packet);
            }

            return all;
        }
    }

    public void Dispose()
    {
        lock (_queue)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    private void ReleaseDue()
    {
        while (true)
        {
            ScheduledPacket packet;
            lock (_queue)
            {
                _armedFor = long.MaxValue;
                if (!_queue.TryPeek(out packet, out long due))
                {
                    return;
                }

                if (due - _earlyTicks > _time.GetTimestamp())
                {
                    Arm(due - _earlyTicks);
                    return;
                }

                _queue.Dequeue();
            }

            Release(packet);
        }
    }

    private void Release(in ScheduledPacket packet)
    {
        _metrics.MixDelayObserved(_time.GetElapsedTime(packet.ReceivedTimestamp));
        _forwarder.Forward(packet);
    }

    // Called under the lock.
    private void Arm(long dueTimestamp)
    {
        _armedFor = dueTimestamp;
        TimeSpan wait = _time.GetElapsedTime(_time.GetTimestamp(), dueTimestamp);

        // System timers truncate to whole milliseconds and may fire up to one early: rounded down, a packet due in
        // 0.7 ms would re-arm 0 ms timers (a busy loop) until it is due. Rounded up, it leaves within 1 ms late.
        _timer.Change(wait <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling(wait.TotalMilliseconds)), Timeout.InfiniteTimeSpan);
    }
}
