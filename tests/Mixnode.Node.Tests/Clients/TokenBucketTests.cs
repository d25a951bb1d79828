using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Clients;

namespace Mixnode.Node.Tests.Clients;

/// <summary>The per-client rate limiter on a fake clock: burst, debt, refill.</summary>
public sealed class TokenBucketTests
{
    [Fact]
    public void A_burst_is_free_then_each_packet_costs_one_over_the_rate_of_waiting()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(rate: 10, burst: 5, time);
        for (int i = 0; i < 5; i++)
        {
            bucket.Take();
        }

        Assert.Equal(TimeSpan.Zero, bucket.Debt());

        bucket.Take();
        bucket.Take();
        Assert.Equal(TimeSpan.FromMilliseconds(200), bucket.Debt());

        time.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.FromMilliseconds(50), bucket.Debt());

        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(TimeSpan.Zero, bucket.Debt());
    }

    [Fact]
    public void Refill_never_exceeds_the_burst()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(rate: 100, burst: 3, time);
        time.Advance(TimeSpan.FromHours(1));
        for (int i = 0; i < 3; i++)
        {
            bucket.Take();
        }

        Assert.Equal(TimeSpan.Zero, bucket.Debt());
        bucket.Take();
        Assert.Equal(TimeSpan.FromMilliseconds(10), bucket.Debt());
    }
}
