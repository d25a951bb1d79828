namespace Mixnode.Node;

/// <summary>
/// A client session's hold on its source prefix's bucket in a <see cref="PrefixRateLimiter"/>: every packet of every
/// session from the prefix is charged to the one bucket, so a fresh client key does not bring a fresh allowance.
/// </summary>
internal sealed class PrefixLease : IDisposable
{
    private readonly PrefixRateLimiter _limiter;
    private readonly PrefixRateLimiter.Entry _entry;
    private int _disposed;

    internal PrefixLease(PrefixRateLimiter limiter, PrefixRateLimiter.Entry entry)
    {
        _limiter = limiter;
        _entry = entry;
    }

    /// <summary>Charges one packet, going into debt when the prefix has no token left (as <c>TokenBucket.Take</c>).</summary>
    public void Take() => _limiter.Take(_entry);

    /// <summary>How long the prefix must wait until it is back within its rate (zero when it is).</summary>
    public TimeSpan Debt() => _limiter.Debt(_entry);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _limiter.Release(_entry);
        }
    }
}
