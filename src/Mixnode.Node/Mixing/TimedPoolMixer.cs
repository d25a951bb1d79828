using Mixnode.Node.Forwarding;
using Mixnode.Node.Telemetry;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Mixing;

/// <summary>
/// The <c>timed-pool</c> strategy, the batch-and-shuffle mix of Mixmaster (Serjantov–Danezis's timed dynamic pool):
/// every <see cref="PoolParameters.Interval"/>, or as soon as <see cref="PoolParameters.Threshold"/> packets wait, a
/// uniformly random <see cref="PoolParameters.Fraction"/> of the packets beyond <see cref="PoolParameters.MinPool"/>
/// leaves, in random order (CSPRNG). Senders' per-hop delays are ignored: a packet's stay depends only on the pool,
/// so the stay tells an observer nothing the sender chose. Packets that stay behind may leave in any later round,
/// which is what makes the anonymity set larger than one round's arrivals (docs/anonymity.md).
/// </summary>
internal sealed class TimedPoolMixer : IMixer
{
    private readonly PoolParameters _parameters;
    private readonly int _capacity;

    /// <summary>
    /// The count that starts a round: the threshold, or the capacity when the threshold is above it (a document's
    /// threshold may exceed what this node holds; a full pool must still send rather than refuse everything for ever).
    /// </summary>
    private readonly int _flushAt;
    private readonly TimeProvider _time;
    private readonly IPacketForwarder _forwarder;
    private readonly NodeMetrics _metrics;
    private readonly IDepartureGate? _gate;
    private readonly IShuffleRandom _random;
    private readonly ITimer? _timer;
    private readonly Lock _lock = new();
    private OutgoingPacket[] _pool;
    private int _count;
    private bool _stopped;

    /// <summary>Packets of one round, taken out under <see cref="_lock"/> and sent outside it, one round at a time.</summary>
    private readonly Lock _flushLock = new();
    private OutgoingPacket[] _leaving = new OutgoingPacket[64];

    public TimedPoolMixer(PoolParameters parameters, int capacity, TimeProvider time, IPacketForwarder forwarder, NodeMetrics metrics, IDepartureGate? gate = null, IShuffleRandom? random = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (parameters.MinPool >= capacity)
        {
            throw new ArgumentException($"the pool's min-pool ({parameters.MinPool}) must be below the mixer's capacity ({capacity}), or a full pool would never send", nameof(parameters));
        }

        _parameters = parameters;
        _capacity = capacity;
        _flushAt = parameters.Threshold == 0 ? 0 : Math.Min(parameters.Threshold, capacity);
        _time = time;
        _forwarder = forwarder;
        _metrics = metrics;
        _gate = gate;
        _random = random ?? CsprngShuffleRandom.Instance;
        _pool = new OutgoingPacket[Math.Min(capacity, 4096)];
        if (parameters.Interval > TimeSpan.Zero)
        {
            _timer = time.CreateTimer(static state => ((TimedPoolMixer)state!).Flush(), this, parameters.Interval, parameters.Interval);
        }

        metrics.ObserveQueueDepth("mix", () => Count);
    }

    public bool HonoursDelays => false;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    public bool TryEnqueue(in OutgoingPacket packet)
    {
        bool thresholdReached;
        lock (_lock)
        {
            if (_stopped || _count >= _capacity)
            {
                return false;
            }

            if (_count == _pool.Length)
            {
                Array.Resize(ref _pool, Math.Min(_pool.Length * 2, _capacity));
            }

            _pool[_count++] = packet;
            thresholdReached = _flushAt > 0 && _count >= _flushAt;
        }

        if (thresholdReached)
        {
            Flush();
        }

        return true;
    }

    public List<OutgoingPacket> Drain()
    {
        _gate?.Close();
        lock (_lock)
        {
            _stopped = true;
            var all = new List<OutgoingPacket>(_count);
            all.AddRange(_pool.AsSpan(0, _count));
            Array.Clear(_pool, 0, _count);
            _count = 0;
            return all;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopped = true;
        }

        _timer?.Dispose();
    }

    /// <summary>
    /// A round, by the clock or by the threshold. One round runs at a time; a caller that finds one running leaves it to
    /// that one (a crypto worker that reached the threshold must not wait behind a flush), which repeats while the
    /// threshold is still reached.
    /// </summary>
    private void Flush()
    {
        if (!_flushLock.TryEnter())
        {
            return;
        }

        try
        {
            while (FlushOnce() && _flushAt > 0 && Count >= _flushAt)
            {
            }
        }
        finally
        {
            _flushLock.Exit();
        }
    }

    /// <summary>Picks the leaving packets (random subset, random order) under the lock, sends them outside it.</summary>
    private bool FlushOnce()
    {
        int leaving;
        lock (_lock)
        {
            if (_stopped)
            {
                return false;
            }

            leaving = _parameters.SendCount(_count);
            if (leaving == 0)
            {
                return false;
            }

            Span<OutgoingPacket> pool = _pool.AsSpan(0, _count);
            Shuffle.SelectToFront(pool, leaving, _random);
            if (_leaving.Length < leaving)
            {
                Array.Resize(ref _leaving, Math.Max(leaving, _leaving.Length * 2));
            }

            pool[..leaving].CopyTo(_leaving);

            // The stayers fill the gap from the end (their order in the pool means nothing).
            int stay = _count - leaving;
            int move = Math.Min(leaving, stay);
            pool.Slice(_count - move, move).CopyTo(pool);
            pool[stay..].Clear();
            _count = stay;
        }

        Span<OutgoingPacket> batch = _leaving.AsSpan(0, leaving);
        foreach (ref readonly OutgoingPacket packet in batch)
        {
            Release(packet);
        }

        batch.Clear();
        return true;
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
}
