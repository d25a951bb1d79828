using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Mixnode.Links.Wire;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Node.Keys;

/// <summary>
/// The mix keys a node accepts packets for: the previous, current and next epoch. Crypto workers read
/// <see cref="TryOrder"/> once per packet (an immutable array replaced atomically: no lock, no allocation) and try
/// the keys in that order: current first because nearly all packets use it, then previous (packets sent just before
/// a boundary), then next (senders whose clock runs ahead).
/// </summary>
/// <remarks>
/// <see cref="Rotate"/> moves the ring to the clock's epoch. A key that leaves the ring raises <see cref="KeyRetired"/>
/// (the replay filter of that epoch can go) and is disposed only after <see cref="RetireGrace"/>, so a worker that
/// took the old snapshot just before the swap finishes its packet safely.
/// </remarks>
internal sealed class MixKeyRing : IDisposable
{
    public static readonly TimeSpan DefaultRetireGrace = TimeSpan.FromSeconds(30);

    private readonly NodeKeyStore _store;
    private readonly EpochClock _clock;
    private readonly bool _generateMissing;
    private readonly Lock _lock = new();
    private readonly List<(MixKey Key, ITimer Timer)> _retiring = [];
    private MixKey[] _order = [];
    private long _epoch = long.MinValue;
    private bool _disposed;

    /// <param name="generateMissing">Create current/next keys that have no file (a node that runs unattended);
    /// when false, a missing current key is an error and a missing next key is skipped.</param>
    public MixKeyRing(NodeKeyStore store, EpochClock clock, bool generateMissing = true, TimeSpan? retireGrace = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        _store = store;
        _clock = clock;
        _generateMissing = generateMissing;
        RetireGrace = retireGrace ?? DefaultRetireGrace;
        Rotate();
    }

    /// <summary>Raised (on the rotating thread) with the epoch of each key that left the ring.</summary>
    public event Action<long>? KeyRetired;

    /// <summary>Raised after every rotation that changed the ring, with the new current epoch.</summary>
    public event Action<long>? Rotated;

    public TimeSpan RetireGrace { get; }

    /// <summary>The epoch the ring was last rotated to.</summary>
    public long CurrentEpoch => Volatile.Read(ref _epoch);

    /// <summary>Keys in the order to try them: current, previous, next (absent ones skipped).</summary>
    public ImmutableArray<MixKey> TryOrder => ImmutableCollectionsMarshal.AsImmutableArray(Volatile.Read(ref _order));

    public MixKey? Find(long epoch)
    {
        foreach (MixKey key in Volatile.Read(ref _order))
        {
            if (key.Epoch == epoch)
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>Brings the ring to the clock's current epoch; a no-op within the same epoch. Returns true if it changed.</summary>
    public bool Rotate()
    {
        List<long> retired;
        long target;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            target = _clock.Current;
            if (target == _epoch)
            {
                return false;
            }

            MixKey[] old = _order;
            var loaded = new List<MixKey>(3);
            MixKey? current, previous, next;
            try
            {
                current = Take(old, target) ?? Track(loaded, _generateMissing ? _store.LoadOrGenerateMixKey(target) : _store.TryLoadMixKey(target))
                    ?? throw new KeyFileException($"no mix key for the current epoch {target}: expected {_store.MixKeyPath(target)} (run `mixnode keygen`)");
                previous = Take(old, target - 1) ?? Track(loaded, _store.TryLoadMixKey(target - 1));
                next = Take(old, target + 1) ?? Track(loaded, _generateMissing ? _store.LoadOrGenerateMixKey(target + 1) : _store.TryLoadMixKey(target + 1));
            }
            catch
            {
                // The ring stays as it was; keys loaded for the failed attempt must not linger undisposed.
                loaded.ForEach(k => k.Dispose());
                throw;
            }

            var list = new List<MixKey>(3) { current };
            if (previous is not null)
            {
                list.Add(previous);
            }

            if (next is not null)
            {
                list.Add(next);
            }

            MixKey[] order = [.. list];
            Volatile.Write(ref _order, order);
            Volatile.Write(ref _epoch, target);

            retired = [];
            foreach (MixKey key in old)
            {
                if (Array.IndexOf(order, key) < 0)
                {
                    retired.Add(key.Epoch);
                    ScheduleDispose(key);
                }
            }
        }

        foreach (long epoch in retired)
        {
            KeyRetired?.Invoke(epoch);
        }

        Rotated?.Invoke(target);
        return true;
    }

    /// <summary>Disposes every key now, including retired ones still in their grace period.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach ((MixKey key, ITimer timer) in _retiring)
            {
                timer.Dispose();
                key.Dispose();
            }

            _retiring.Clear();
            foreach (MixKey key in _order)
            {
                key.Dispose();
            }

            _order = [];
        }
    }

    private static MixKey? Take(MixKey[] keys, long epoch) => Array.Find(keys, k => k.Epoch == epoch);

    private static MixKey? Track(List<MixKey> loaded, MixKey? key)
    {
        if (key is not null)
        {
            loaded.Add(key);
        }

        return key;
    }

    private void ScheduleDispose(MixKey key)
    {
        if (RetireGrace <= TimeSpan.Zero)
        {
            key.Dispose();
            return;
        }

        // Called under _lock, so the callback (which takes _lock) cannot run before the entry is in the list.
        ITimer timer = _clock.Time.CreateTimer(
            _ =>
            {
                lock (_lock)
                {
                    int index = _retiring.FindIndex(r => ReferenceEquals(r.Key, key));
                    if (index >= 0)
                    {
                        _retiring[index].Timer.Dispose();
                        _retiring.RemoveAt(index);
                        key.Dispose();
                    }
                }
            },
            null,
            RetireGrace,
            Timeout.InfiniteTimeSpan);
        _retiring.Add((key, timer));
    }
}
