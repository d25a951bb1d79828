using Mixnode.Node.Forwarding;
using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Mixing;

/// <summary>
/// The <c>poisson</c> strategy, stop-and-go mixing: each packet leaves at its arrival time plus the NodeDelay its
/// sender chose (Exp(μ)), so the time it already spent in the node counts toward its delay. One alarm, set to the
/// earliest due packet, releases everything due; what leaves together leaves in an order drawn by a CSPRNG shuffle
/// (due order would tell an observer which of them came in first). The queue is bounded and refuses when full.
/// Time comes from <see cref="TimeProvider"/> so tests drive it with a fake clock. On the system clock under Linux
/// the alarm is a <see cref="PreciseReleaseTimer"/> (releases within tens of µs of the due time); elsewhere a
/// <see cref="TimeProviderReleaseTimer"/> (millisecond timers, helped by the early release below).
/// </summary>
internal sealed class StopAndGoMixer : IMixer
{
    /// <summary>At most this many leave per shuffle; a larger backlog leaves in shuffled runs of this size.</summary>
    private const int MaxReleaseBatch = 4096;

    private readonly PriorityQueue<OutgoingPacket, long> _queue;
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly IPacketForwarder _forwarder;
    private readonly NodeMetrics _metrics;
    private readonly IReleaseTimer _timer;
    private readonly long _earlyTicks;
    private readonly long _armOffsetTicks;
    private readonly IDepartureGate? _gate;
    private readonly IShuffleRandom _random;
    private OutgoingPacket[] _released = new OutgoingPacket[16];
    private long _armedFor = long.MaxValue;
    /// <summary>Set by Drain and Dispose: from then on nothing is taken (nor released by TryEnqueue).</summary>
    private volatile bool _stopped;

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
    /// <param name="gate">What must happen to a packet before it leaves (the unwrap stage's deferred re-blinding).</param>
    /// <param name="random">Departure order among packets released together; the CSPRNG unless a test fixes it.</param>
    public StopAndGoMixer(int capacity, TimeProvider time, IPacketForwarder forwarder, NodeMetrics metrics, TimeSpan earlyRelease = default, TimeSpan releaseQuantum = default, IDepartureGate? gate = null, IShuffleRandom? random = null)
    {
        _gate = gate;
        _random = random ?? CsprngShuffleRandom.Instance;
        _capacity = capacity;
        _time = time;
        _forwarder = forwarder;
        _metrics = metrics;
        _queue = new PriorityQueue<OutgoingPacket, long>(Math.Min(capacity, 4096));
        if (ReferenceEquals(time, TimeProvider.System) && PreciseReleaseTimer.IsSupported)
        {
            // The alarm rings at the head's due time exactly; what falls due within the quantum after it goes too.
            _earlyTicks = (long)(releaseQuantum.TotalSeconds * time.TimestampFrequency);
            _timer = new PreciseReleaseTimer(ReleaseDue, "mixnode mixer");
        }
        else
        {
            _earlyTicks = (long)(earlyRelease.TotalSeconds * time.TimestampFrequency);
            _armOffsetTicks = _earlyTicks;
            _timer = new TimeProviderReleaseTimer(time, ReleaseDue);
        }
        metrics.ObserveQueueDepth("mix", () => Count);
    }

    public bool HonoursDelays => true;

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
    public bool TryEnqueue(in OutgoingPacket packet)
    {
        if (_stopped)
        {
            return false;
        }

        long releaseAt = packet.DueTimestamp - _earlyTicks;
        if (releaseAt <= _time.GetTimestamp())
        {
            Release(packet);
            return true;
        }

        lock (_queue)
        {
            if (_stopped || _queue.Count >= _capacity)
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
    public List<OutgoingPacket> Drain()
    {
        _gate?.Close();
        lock (_queue)
        {
            _stopped = true;
            var all = new List<OutgoingPacket>(_queue.Count);
            while (_queue.TryDequeue(out OutgoingPacket packet, out _))
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
            _stopped = true;
        }

        _timer.Dispose();
    }

    /// <summary>
    /// The alarm: takes everything due (within the quantum) off the queue under the lock, then lets it leave, shuffled,
    /// outside it. Only the alarm's thread runs this, so <see cref="_released"/> needs no lock.
    /// </summary>
    private void ReleaseDue()
    {
        while (true)
        {
            int count = 0;
            lock (_queue)
            {
                _armedFor = long.MaxValue;
                long now = _time.GetTimestamp();
                while (_queue.TryPeek(out OutgoingPacket packet, out long due))
                {
                    if (due - _earlyTicks > now)
                    {
                        Arm(due - _armOffsetTicks);
                        break;
                    }

                    if (count == _released.Length)
                    {
                        if (count == MaxReleaseBatch)
                        {
                            // Let this many go first; the loop comes back for the rest at once.
                            break;
                        }

                        Array.Resize(ref _released, Math.Min(count * 2, MaxReleaseBatch));
                    }

                    _queue.Dequeue();
                    _released[count++] = packet;
                }
            }

            if (count == 0)
            {
                return;
            }

            Span<OutgoingPacket> batch = _released.AsSpan(0, count);
            Shuffle.InPlace(batch, _random);
            foreach (ref readonly OutgoingPacket packet in batch)
            {
                Release(packet);
            }

            batch.Clear();
            if (count < MaxReleaseBatch)
            {
                // The queue was emptied or the alarm armed for what is left.
                return;
            }
        }
    }

    private void Release(in OutgoingPacket packet)
    {
        if (_gate is not null && !_gate.TryReady(packet.Buffer))
        {
            _metrics.PacketDropped(DropReason.Malformed);
            PacketBuffers.Return(packet.Buffer);
            return;
        }

        if (_metrics.SampleMixDelay())
        {
            _metrics.MixDelayObserved(_time.GetElapsedTime(packet.ReceivedTimestamp));
        }
        _forwarder.Forward(packet);
    }

    // Called under the lock.
    private void Arm(long releaseTimestamp)
    {
        _armedFor = releaseTimestamp;
        _timer.ArmAt(releaseTimestamp);
    }
}
