using System.Security.Cryptography;
using Mixnode.Node.Mixing;
using Mixnode.Sphinx;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// Re-blinds forwarded packets while they wait out their delay, up to eight per X25519 call.
/// <para>
/// Why: unwrapping costs two X25519, the agreement and the re-blinding of alpha for the next hop. The agreement must
/// come first (it yields the MAC key, the routing commands and the delay), but nothing needs the new alpha until the
/// packet is sent, on average tens of milliseconds later. Packets arriving one at a time (exact release at the previous
/// hop, or light load) cannot share an agreement call, but their re-blindings can share one: a crypto worker hands
/// each forward here (<see cref="Add"/>), and the pending set is re-blinded as one batch as soon as it holds eight, or
/// as soon as one of them is due within <see cref="FlushAhead"/>. The mixer calls <see cref="TryReady"/> as a
/// packet leaves: a packet still pending then is re-blinded on its own (light load), one being re-blinded by a worker
/// is waited for (at most one batch call).
/// </para>
/// <para>
/// The blinding factors are secrets: they live in pinned arrays (the GC never leaves copies) and are zeroed once used,
/// cancelled or cleared at shutdown. Nothing here allocates per packet.
/// </para>
/// </summary>
internal sealed class ReBlinder : IDepartureGate
{
    /// <summary>
    /// A pending set holding a packet due within this long is re-blinded at once: the batch call (~45 µs) and the
    /// wake-ups around it must be over before the packet is released.
    /// </summary>
    public static readonly TimeSpan FlushAhead = TimeSpan.FromMilliseconds(2);

    private const int Batch = SphinxUnwrapper.MaxBatch;
    private const int FactorLength = SphinxUnwrapper.BlindingFactorLength;

    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly long _flushAheadTicks;
    private readonly byte[]?[] _pending = new byte[Batch][];
    private readonly byte[] _pendingFactors = GC.AllocateArray<byte>(Batch * FactorLength, pinned: true);
    private readonly long[] _pendingDue = new long[Batch];
    private int _pendingCount;

    /// <summary>Buffers a worker is re-blinding right now (outside the lock), and those whose re-blinding failed.</summary>
    private readonly List<byte[]> _inFlight = new(4 * Batch);
    private readonly List<byte[]> _failed = [];
    private int _waiters;
    private bool _cleared;

    public ReBlinder(TimeProvider time)
    {
        _time = time;
        _flushAheadTicks = (long)(FlushAhead.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Packets waiting to be re-blinded (tests and diagnostics).</summary>
    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return _pendingCount;
            }
        }
    }

    /// <summary>
    /// Takes a forward whose alpha still needs <paramref name="blindingFactor"/> (the caller zeroes its copy). Call it
    /// before the packet is scheduled, so that the mixer never sees a packet this does not know about. May re-blind the
    /// pending set at once on the calling thread, using <paramref name="scratch"/>.
    /// </summary>
    public void Add(byte[] buffer, ReadOnlySpan<byte> blindingFactor, long dueTimestamp, Scratch scratch)
    {
        int count = 0;
        lock (_gate)
        {
            int slot = _pendingCount++;
            _pending[slot] = buffer;
            blindingFactor[..FactorLength].CopyTo(_pendingFactors.AsSpan(slot * FactorLength, FactorLength));
            _pendingDue[slot] = dueTimestamp;
            if (_pendingCount == Batch || EarliestPendingDue() - _time.GetTimestamp() <= _flushAheadTicks)
            {
                count = TakePending(scratch);
            }
        }

        if (count > 0)
        {
            ReBlindTaken(scratch, count);
        }
    }

    /// <summary>Forgets a packet that was added but could not be scheduled (its buffer goes back to the pool).</summary>
    public void Cancel(byte[] buffer)
    {
        Span<byte> factor = stackalloc byte[FactorLength];

        // Pending: taken out. In flight: waited for, so that no worker writes the buffer once the pool hands it out again.
        while (!TryTakeFromPending(buffer, factor) && WaitIfInFlight(buffer))
        {
        }

        lock (_gate)
        {
            _failed.Remove(buffer);
        }

        CryptographicOperations.ZeroMemory(factor);
    }

    /// <summary>
    /// Called as the packet leaves the mixer: true once its alpha is re-blinded (now, if it was still pending); false when
    /// re-blinding failed, and the packet must be dropped.
    /// </summary>
    public bool TryReady(byte[] buffer)
    {
        Span<byte> factor = stackalloc byte[FactorLength];
        try
        {
            // A packet leaves pending once; it may then be in flight for the length of one batch call.
            while (true)
            {
                if (TryTakeFromPending(buffer, factor))
                {
                    return SphinxUnwrapper.ReBlind(buffer, factor);
                }

                if (!WaitIfInFlight(buffer))
                {
                    lock (_gate)
                    {
                        return !_failed.Remove(buffer) && !_cleared;
                    }
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(factor);
        }
    }

    /// <summary>
    /// Shutdown: forgets every pending packet (the mixer's drain returns the buffers) and zeroes the factors. From then on
    /// <see cref="TryReady"/> refuses every packet: one the mixer took just before the drain must not leave with
    /// the alpha it came with, which would link it to the packet that arrived.
    /// </summary>
    public void Close()
    {
        lock (_gate)
        {
            _cleared = true;
            Array.Clear(_pending);
            CryptographicOperations.ZeroMemory(_pendingFactors);
            _pendingCount = 0;
            _failed.Clear();
        }
    }

    // Called under the lock.
    private long EarliestPendingDue()
    {
        long earliest = long.MaxValue;
        for (int i = 0; i < _pendingCount; i++)
        {
            earliest = Math.Min(earliest, _pendingDue[i]);
        }

        return earliest;
    }

    // Called under the lock: moves the pending set into the worker's scratch and marks it in flight.
    private int TakePending(Scratch scratch)
    {
        int count = _pendingCount;
        for (int i = 0; i < count; i++)
        {
            byte[] buffer = _pending[i]!;
            scratch.Buffers[i] = buffer;
            scratch.Packets[i] = buffer;
            _inFlight.Add(buffer);
            _pending[i] = null;
        }

        _pendingFactors.AsSpan(0, count * FactorLength).CopyTo(scratch.Factors);
        CryptographicOperations.ZeroMemory(_pendingFactors.AsSpan(0, count * FactorLength));
        _pendingCount = 0;
        return count;
    }

    private void ReBlindTaken(Scratch scratch, int count)
    {
        int failed = (1 << count) - 1; // what stays true if the call throws: none of them was re-blinded
        try
        {
            failed = SphinxUnwrapper.ReBlindBatch(scratch.Packets.AsSpan(0, count), scratch.Factors);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch.Factors);
            lock (_gate)
            {
                // Never leave a packet marked in flight: the mixer would wait for it forever.
                for (int i = 0; i < count; i++)
                {
                    byte[] buffer = scratch.Buffers[i]!;
                    _inFlight.Remove(buffer);
                    if ((failed & (1 << i)) != 0)
                    {
                        _failed.Add(buffer);
                    }

                    scratch.Buffers[i] = null;
                    scratch.Packets[i] = default;
                }

                if (_waiters > 0)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    // Takes the buffer's entry out of the pending set, its factor into factor; false when it was not pending.
    private bool TryTakeFromPending(byte[] buffer, Span<byte> factor)
    {
        lock (_gate)
        {
            int at = Array.IndexOf(_pending, buffer, 0, _pendingCount);
            if (at < 0)
            {
                return false;
            }

            int last = --_pendingCount;
            _pendingFactors.AsSpan(at * FactorLength, FactorLength).CopyTo(factor);
            if (at != last)
            {
                _pending[at] = _pending[last];
                _pendingDue[at] = _pendingDue[last];
                _pendingFactors.AsSpan(last * FactorLength, FactorLength).CopyTo(_pendingFactors.AsSpan(at * FactorLength, FactorLength));
            }

            _pending[last] = null;
            CryptographicOperations.ZeroMemory(_pendingFactors.AsSpan(last * FactorLength, FactorLength));
            return true;
        }
    }

    // Waits while a worker re-blinds this buffer; false when it was not (or no longer is) in flight.
    private bool WaitIfInFlight(byte[] buffer)
    {
        lock (_gate)
        {
            if (!_inFlight.Contains(buffer))
            {
                return false;
            }

            _waiters++;
            try
            {
                while (_inFlight.Contains(buffer))
                {
                    Monitor.Wait(_gate);
                }
            }
            finally
            {
                _waiters--;
            }

            return true;
        }
    }

    /// <summary>A worker's scratch for re-blinding a batch (reused; holds no secret between calls).</summary>
    public sealed class Scratch
    {
        public byte[]?[] Buffers { get; } = new byte[Batch][];

        public Memory<byte>[] Packets { get; } = new Memory<byte>[Batch];

        public byte[] Factors { get; } = GC.AllocateArray<byte>(Batch * FactorLength, pinned: true);
    }
}
