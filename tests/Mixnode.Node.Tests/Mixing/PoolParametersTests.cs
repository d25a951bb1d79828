using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>The pool's settings: each bad one refused with the setting's name; how many a flush sends.</summary>
public sealed class PoolParametersTests
{
    [Theory]
    [InlineData(0, 0, 0, 0.5, "mixing.pool.interval_ms must be above 0 or mixing.pool.threshold above 0")] // neither clock nor count: never sends
    [InlineData(-1, 0, 0, 0.5, "mixing.pool.interval_ms")]
    [InlineData(3_600_001, 0, 0, 0.5, "mixing.pool.interval_ms")]
    [InlineData(100, -1, 0, 0.5, "mixing.pool.threshold")]
    [InlineData(100, 2_000_001, 0, 0.5, "mixing.pool.threshold")]
    [InlineData(100, 0, 0, 0.0, "mixing.pool.fraction")]
    [InlineData(100, 0, 0, -0.1, "mixing.pool.fraction")]
    [InlineData(100, 0, 0, 1.5, "mixing.pool.fraction")]
    [InlineData(100, 0, 0, double.NaN, "mixing.pool.fraction")]
    [InlineData(100, 0, 0, double.PositiveInfinity, "mixing.pool.fraction")]
    [InlineData(100, 0, -1, 0.5, "mixing.pool.min_pool")]
    [InlineData(100, 0, PoolParameters.MaxMinPool + 1, 0.5, "mixing.pool.min_pool")]
    [InlineData(100, 10, 10, 0.5, "mixing.pool.threshold (10) must be above mixing.pool.min_pool (10)")]
    [InlineData(0, 5, 20, 0.5, "mixing.pool.threshold (5) must be above mixing.pool.min_pool (20)")]
    public void A_bad_setting_is_refused_naming_it(int intervalMs, int threshold, int minPool, double fraction, string message)
    {
        var e = Assert.Throws<TopologyException>(() => new PoolParameters(TimeSpan.FromMilliseconds(intervalMs), threshold, minPool, fraction));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3_600_000, 0, 0, 1.0)] // the longest interval
    [InlineData(0, 1, 0, 1.0)] // threshold only, the smallest
    [InlineData(1, 0, PoolParameters.MaxMinPool, 0.01)] // timer only: any min-pool, no threshold to be above it
    [InlineData(0, 2_000_000, PoolParameters.MaxMinPool, double.Epsilon)]
    [InlineData(100, 21, 20, 0.7)]
    public void Good_settings_are_kept_as_given(int intervalMs, int threshold, int minPool, double fraction)
    {
        var parameters = new PoolParameters(TimeSpan.FromMilliseconds(intervalMs), threshold, minPool, fraction);
        Assert.Equal(TimeSpan.FromMilliseconds(intervalMs), parameters.Interval);
        Assert.Equal(threshold, parameters.Threshold);
        Assert.Equal(minPool, parameters.MinPool);
        Assert.Equal(fraction, parameters.Fraction);
    }

    [Theory]
    // The testnet's pool: 20 kept back, 70 % of the rest.
    [InlineData(20, 0.7, -5, 0)]
    [InlineData(20, 0.7, 0, 0)]
    [InlineData(20, 0.7, 20, 0)]
    [InlineData(20, 0.7, 21, 1)] // ⌊0.7⌋ = 0: at least one, so a pool just above its minimum still drains
    [InlineData(20, 0.7, 22, 1)] // ⌊1.4⌋
    [InlineData(20, 0.7, 23, 2)] // ⌊2.1⌋
    [InlineData(20, 0.7, 30, 7)]
    [InlineData(20, 0.7, 120, 70)]
    // Everything, when nothing is kept and the fraction is one.
    [InlineData(0, 1.0, 1, 1)]
    [InlineData(0, 1.0, 1_000_000, 1_000_000)]
    [InlineData(0, 0.5, 1, 1)]
    [InlineData(0, 0.5, 3, 1)]
    [InlineData(0, 0.5, 4, 2)]
    [InlineData(3, 0.5, 20, 8)] // ⌊8.5⌋
    [InlineData(1, 0.001, 1_001, 1)]
    [InlineData(1, 0.001, 2_001, 2)]
    [InlineData(PoolParameters.MaxMinPool, 1.0, PoolParameters.MaxMinPool + 5, 5)]
    [InlineData(0, 1.0, int.MaxValue, int.MaxValue)]
    public void SendCount_is_the_fraction_of_those_beyond_the_min_pool_rounded_down_but_at_least_one(int minPool, double fraction, int waiting, int expected)
    {
        var parameters = new PoolParameters(TimeSpan.FromSeconds(1), 0, minPool, fraction);
        Assert.Equal(expected, parameters.SendCount(waiting));
    }

    [Fact]
    public void The_default_is_the_testnet_s_pool()
    {
        Assert.Equal(new PoolParameters(TimeSpan.FromMilliseconds(100), 0, 20, 0.7), PoolParameters.Default);
    }

    [Fact]
    public void SendCount_takes_a_fraction_written_in_decimal_at_its_decimal_value()
    {
        // ⌊0.7 × 90⌋ = 63, ⌊0.29 × 100⌋ = 29, ⌊0.57 × 100⌋ = 57: each product is just below the integer in binary
        // floating point, so a plain floor would send one less than the setting says (and than the simulator counts).
        Assert.Equal(63, PoolParameters.Default.SendCount(110));
        Assert.Equal(29, new PoolParameters(TimeSpan.FromSeconds(1), 0, 0, 0.29).SendCount(100));
        Assert.Equal(57, new PoolParameters(TimeSpan.FromSeconds(1), 0, 0, 0.57).SendCount(100));
    }
}
