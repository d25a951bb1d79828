using System.Net;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Ingress;

namespace Mixnode.Node.Tests.Ingress;

/// <summary>A token bucket per source prefix in a table that stays within its capacity and forgets idle prefixes.</summary>
public sealed class PrefixRateLimiterTests
{
    private static readonly SourcePrefix s_a = SourcePrefix.Of(IPAddress.Parse("192.0.2.1"));
    private static readonly SourcePrefix s_b = SourcePrefix.Of(IPAddress.Parse("198.51.100.1"));
    private static readonly SourcePrefix s_c = SourcePrefix.Of(IPAddress.Parse("2001:db8::1"));
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_prefix_gets_its_burst_then_its_rate_and_other_prefixes_are_unaffected()
    {
        var limiter = new PrefixRateLimiter(ratePerSecond: 2, burst: 3, capacity: 16, _time);
        Assert.Equal([PrefixTake.Taken, PrefixTake.Taken, PrefixTake.Taken, PrefixTake.Empty], Take(limiter, s_a, 4));
        Assert.Equal(PrefixTake.Taken, limiter.TryTake(s_b));

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal([PrefixTake.Taken, PrefixTake.Empty], Take(limiter, s_a, 2));
    }

    [Fact]
    public void A_full_table_refuses_new_prefixes_until_idle_ones_have_refilled_and_are_swept()
    {
        var limiter = new PrefixRateLimiter(ratePerSecond: 1, burst: 2, capacity: 2, _time);
        Assert.Equal(PrefixTake.Taken, limiter.TryTake(s_a));
        Assert.Equal(PrefixTake.Taken, limiter.TryTake(s_b));
        Assert.Equal(PrefixTake.TableFull, limiter.TryTake(s_c));
        Assert.Equal(2, limiter.Count);

        // Refilling but not yet full: still tracked (dropping them would hand them a fresh bucket).
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(PrefixTake.TableFull, limiter.TryTake(s_c));

        _time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(PrefixTake.Taken, limiter.TryTake(s_c));
        Assert.Equal(1, limiter.Count);
    }

    [Fact]
    public void A_leased_prefix_is_never_swept_and_its_debt_is_shared_by_every_lease()
    {
        var limiter = new PrefixRateLimiter(ratePerSecond: 10, burst: 2, capacity: 1, _time);
        using PrefixLease first = limiter.Lease(s_a)!;
        using PrefixLease second = limiter.Lease(s_a)!;
        first.Take();
        first.Take();
        Assert.Equal(TimeSpan.Zero, second.Debt());
        second.Take();
        Assert.Equal(TimeSpan.FromMilliseconds(100), first.Debt());

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(limiter.Lease(s_b));
        first.Dispose();
        second.Dispose();
        second.Dispose();
        _time.Advance(PrefixRateLimiter.SweepInterval);
        using PrefixLease? other = limiter.Lease(s_b);
        Assert.NotNull(other);
    }

    private static PrefixTake[] Take(PrefixRateLimiter limiter, SourcePrefix prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => limiter.TryTake(prefix))];
}
