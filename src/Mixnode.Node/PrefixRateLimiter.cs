namespace Mixnode.Node;

/// <summary>
/// A token bucket per source prefix (<see cref="SourcePrefix"/>), in a table that never grows beyond its capacity:
/// an entry exists while a lease holds it or while its bucket is still refilling (a full, unleased bucket is the
/// same as no entry, so it is dropped at the next sweep). When the table is full of entries that are still in use
/// a new prefix is refused (<see cref="PrefixTake.TableFull"/>) rather than any entry evicted: evicting a prefix
/// in debt would hand it a fresh bucket, which is what a flood of other prefixes would be for. Sweeps are O(entries)
/// and run at most every <see cref="SweepInterval"/>, so a flood of new prefixes cannot make every accept pay one.
/// Thread-safe (one lock; the work under it is a dictionary look-up and a few arithmetic operations).
/// </summary>
internal sealed class PrefixRateLimiter
{
    public static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<SourcePrefix, Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private long _lastSweep;

    public PrefixRateLimiter(double ratePerSecond, int burst, int capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Rate = ratePerSecond;
        Burst = burst;
        _capacity = capacity;
        _time = time;
        _lastSweep = time.GetTimestamp();
    }

    public double Rate { get; }

    public int Burst { get; }

    /// <summary>Prefixes tracked now (tests, gauges).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Takes a token from the prefix's bucket if it has one (handshakes: no token, no connection).</summary>
    public PrefixTake TryTake(SourcePrefix prefix)
    {
        lock (_lock)
        {
            long now = _time.GetTimestamp();
            Entry? entry = Find(prefix, now);
            if (entry is null)
            {
                return PrefixTake.TableFull;
            }

            return entry.Bucket.TryTake() ? PrefixTake.Taken : PrefixTake.Empty;
        }
    }

    /// <summary>
    /// A hold on the prefix's bucket for one client session (its packets are charged to it); null when the table is full.
    /// Dispose it when the session ends.
    /// </summary>
    public PrefixLease? Lease(SourcePrefix prefix)
    {
        lock (_lock)
        {
            Entry? entry = Find(prefix, _time.GetTimestamp());
            if (entry is null)
            {
                return null;
            }

            entry.Leases++;
            return new PrefixLease(this, entry);
        }
    }

    internal void Take(Entry entry)
    {
        lock (_lock)
        {
            entry.Bucket.Take();
        }
    }

    internal TimeSpan Debt(Entry entry)
    {
        lock (_lock)
        {
            return entry.Bucket.Debt();
        }
    }

    internal void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Leases--;
        }
    }

    // Under the lock.
    private Entry? Find(SourcePrefix prefix, long now)
    {
        if (_entries.TryGetValue(prefix, out Entry? entry))
        {
            return entry;
        }

        if (_entries.Count >= _capacity)
        {
            if (_time.GetElapsedTime(_lastSweep, now) < SweepInterval)
            {
                return null;
            }

            Sweep(now);
            if (_entries.Count >= _capacity)
            {
                return null;
            }
        }

        entry = new Entry(new TokenBucket(Rate, Burst, _time));
        _entries.Add(prefix, entry);
        return entry;
    }

    private void Sweep(long now)
    {
        _lastSweep = now;
        foreach ((SourcePrefix prefix, Entry entry) in _entries)
        {
            if (entry.Leases == 0 && entry.Bucket.IsFull())
            {
                // Removing during enumeration is allowed for Dictionary since .NET Core 3.0.
                _entries.Remove(prefix);
            }
        }
    }

    /// <summary>One prefix's bucket and the sessions holding it; used only under the table's lock.</summary>
    internal sealed class Entry(TokenBucket bucket)
    {
        public TokenBucket Bucket { get; } = bucket;

        public int Leases { get; set; }
    }
}
