using Microsoft.Extensions.Time.Testing;
using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Node.Tests.Keys;

public sealed class EpochClockTests
{
    [Fact]
    public void Epoch_zero_starts_at_the_katzenpost_origin()
    {
        var clock = new EpochClock(new FakeTimeProvider(EpochClock.Origin));
        Assert.Equal(0, clock.Current);
        Assert.Equal(EpochClock.Origin, clock.StartOf(0));
        Assert.Equal(EpochClock.Origin.AddMinutes(20), clock.EndOf(0));
        Assert.Equal(TimeSpan.FromMinutes(20), clock.TillNext);
    }

    [Fact]
    public void Epochs_change_exactly_at_boundaries()
    {
        var time = new FakeTimeProvider(EpochClock.Origin.AddMinutes(20 * 1000));
        var clock = new EpochClock(time);
        Assert.Equal(1000, clock.Current);
        time.Advance(TimeSpan.FromMinutes(20) - TimeSpan.FromTicks(1));
        Assert.Equal(1000, clock.Current);
        Assert.Equal(TimeSpan.FromTicks(1), clock.TillNext);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1001, clock.Current);
        Assert.Equal(clock.StartOf(1001), time.GetUtcNow());
    }

    [Fact]
    public void A_known_date_maps_to_the_epoch_katzenpost_computes()
    {
        // 2024-01-01T00:00:00Z is 2405 days after the origin: 2405 * 72 epochs of 20 minutes.
        var clock = new EpochClock(new FakeTimeProvider(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(2405 * 72, clock.Current);
    }

    [Fact]
    public void The_period_is_configurable()
    {
        var time = new FakeTimeProvider(EpochClock.Origin.AddSeconds(125));
        var clock = new EpochClock(time, TimeSpan.FromSeconds(60));
        Assert.Equal(2, clock.Current);
        Assert.Equal(TimeSpan.FromSeconds(55), clock.TillNext);
        Assert.Equal(EpochClock.Origin.AddSeconds(180), clock.EndOf(2));
    }

    [Fact]
    public void Instants_before_the_origin_round_down()
    {
        var clock = new EpochClock(new FakeTimeProvider(EpochClock.Origin.AddSeconds(-1)));
        Assert.Equal(-1, clock.Current);
        Assert.Equal(-1, clock.EpochAt(EpochClock.Origin.AddMinutes(-20)));
    }

    [Fact]
    public void Silly_periods_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpochClock(TimeProvider.System, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EpochClock(TimeProvider.System, TimeSpan.FromDays(30)));
    }
}
