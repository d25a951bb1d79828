namespace Mixnode.Node;

/// <summary>
/// A token bucket on an injected clock: <see cref="Rate"/> tokens per second up to <see cref="Burst"/>.
/// Not thread-safe: one per client session, used from that session's receive loop; shared ones (a source prefix's,
/// the echo budget) are used under their owner's lock.
/// </summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private double _tokens;
    private long _updated;

    public TokenBucket(double rate, int burst, TimeProvider time)
    {
        Rate = rate;
        Burst = burst;
        _time = time;
        _tokens = burst;
        _updated = time.GetTimestamp();
    }

    public double Rate { get; }

    public int Burst { get; }

    /// <summary>Takes one token, going into debt when there is none: the caller pays the debt by waiting (<see cref="Debt"/>).</summary>
    public void Take()
    {
        Refill();
        _tokens -= 1;
    }

    /// <summary>Takes one token if there is one (a hard limit, no debt): false when the bucket is empty.</summary>
    public bool TryTake()
    {
        Refill();
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }

    /// <summary>How long the client must wait until it is back within its rate (zero when it is).</summary>
    public TimeSpan Debt()
    {
        Refill();
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / Rate);
    }

    /// <summary>True when the bucket holds its whole burst again: it is then the same as a new one.</summary>
    public bool IsFull()
    {
        Refill();
        return _tokens >= Burst;
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        _tokens = Math.Min(Burst, _tokens + (_time.GetElapsedTime(_updated, now).TotalSeconds * Rate));
        _updated = now;
    }
}
