using Mixnode.Node.Processing;
using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Mixing;

/// <summary>
/// Stop-and-go mixing, simple form: each packet leaves at its arrival time plus the NodeDelay its sender
/// chose (Exp(μ)), so the time it already spent in the node counts toward its delay. One alarm, set to
/// the earliest due packet, releases everything due; the queue is bounded and drops (counted) when full.
/// Time comes from <see cref="TimeProvider"/> so tests drive it with a fake clock. On the system clock under Linux
/// the alarm is a <see cref="PreciseReleaseTimer"/> (releases within tens of µs of the due time); elsewhere a
/// <see cref="TimeProviderReleaseTimer"/> (millisecond timers, helped by the early release below).
/// </summary>
internal sealed class DelayQueue : IDisposable
{
    private readonly PriorityQueue<ScheduledPacket, long> _queue;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly IPacketForwarder _forwarder;
    private readonly NodeMetrics _metrics;
    private readonly IReleaseTimer _timer;
    private readonly long _earlyTicks;
    private readonly long _armOffsetTicks;
    private readonly ReBlinder? _reBlinder;
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    /// <param name="earlyRelease">
    /// How much before its due time a packet may leave when the alarm is a millisecond timer (never with the precise
    /// one). Such timers fire late (the wait is rounded up, then the timer thread and the thread pool add their own):
    /// measured on a local network, 1 ms of slack left ~1.1 ms of lateness per hop, 2 ms about 0.3 ms. A node passes
    /// 2 ms, which only matters where <see cref="PreciseReleaseTimer"/> is unavailable; tests use zero.
    /// </param>
    /// <param name="releaseQuantum">
    /// With the precise alarm: packets due within this long after the one the alarm rang for leave with it, so a busy
    /// node wakes once per quantum rather than once per packet (each wake-up and each flush costs CPU; measured on the
    /// testnet at 3,000 packets/s: releasing one by one, the nodes needed 70 instead of 52 µs per packet per node,
    /// chiefly because the next hop then receives single packets and cannot batch its unwraps).
    /// </param>
    /// <param name="reBlinder">Where packets whose alpha still needs re-blinding wait for it (see <see cref="ReBlinder"/>).</param>
    public DelayQueue(int capacity, TimeProvider time, IPacketForwarder forwarder, NodeMetrics metrics, TimeSpan earlyRelease = default, TimeSpan releaseQuantum = default, ReBlinder? reBlinder = null)
    {
        _reBlinder = reBlinder;
        _capacity = capacity;
        _time = time;
        _forwarder = forwarder;
        _metrics = metrics;
        _queue = new PriorityQueue<ScheduledPacket, long>(Math.Min(capacity, 4096));
        if (ReferenceEquals(time, TimeProvider.System) && PreciseReleaseTimer.IsSupported)
        {
            // The alarm rings at the head's due time exactly; what falls due within the quantum after it goes too.
            _earlyTicks = (long)(releaseQuantum.TotalSeconds * time.TimestampFrequency);
            _timer = new PreciseReleaseTimer(ReleaseDue, "mixnode delay queue");
        }
        else
        {
            _earlyTicks = (long)(earlyRelease.TotalSeconds * time.TimestampFrequency);
            _armOffsetTicks = _earlyTicks;
            _timer = new TimeProviderReleaseTimer(time, ReleaseDue);
        }
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
            if (packet.DueTimestamp - _armOffsetTicks < _armedFor)
            {
                Arm(packet.DueTimestamp - _armOffsetTicks);
            }
        }

        return true;
    }

    /// <summary>Takes everything still queued (shutdown): the caller returns the buffers.</summary>
    public List<ScheduledPacket> Drain()
    {
        _reBlinder?.Clear();
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
                    Arm(due - _armOffsetTicks);
                    return;
                }

                _queue.Dequeue();
            }

            Release(packet);
        }
    }

    private void Release(in ScheduledPacket packet)
    {
        if (_reBlinder is not null && !_reBlinder.EnsureReBlinded(packet.Buffer))
        {
            _metrics.PacketDropped(DropReason.Malformed);
            PacketBuffers.Return(packet.Buffer);
            return;
        }

        _metrics.MixDelayObserved(_time.GetElapsedTime(packet.ReceivedTimestamp));
        _forwarder.Forward(packet);
    }

    // Called under the lock.
    private void Arm(long releaseTimestamp)
    {
        _armedFor = releaseTimestamp;
        _timer.ArmAt(releaseTimestamp);
    }
}
