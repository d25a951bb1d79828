using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

public sealed class DelaySamplerTests
{
    [Theory]
    [InlineData(50)]
    [InlineData(200)]
    public void The_mean_of_100k_draws_is_the_configured_mean(double mean)
    {
        var sampler = new DelaySampler(mean);
        const int n = 100_000;
        double sum = 0;
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++)
        {
            double x = sampler.NextMs();
            sum += x;
            sumOfSquares += x * x;
        }

        double sampleMean = sum / n;
        double sd = Math.Sqrt((sumOfSquares / n) - (sampleMean * sampleMean));

        // The standard error is mean/√n ≈ 0.3 %; 2 % is over six of them. An exponential's sd equals its mean.
        Assert.InRange(sampleMean, mean * 0.98, mean * 1.02);
        Assert.InRange(sd, mean * 0.95, mean * 1.05);
    }

    [Fact]
    public void Draws_never_exceed_the_cap()
    {
        var sampler = new DelaySampler(100, maxMs: 150);
        for (int i = 0; i < 20_000; i++)
        {
            Assert.InRange(sampler.NextMs(), 0u, 150u);
        }
    }

    [Fact]
    public void The_default_cap_is_twenty_means()
    {
        Assert.Equal(1000, new DelaySampler(50).MaxMs);
    }

    [Fact]
    public void A_topology_caps_draws_at_its_max_delay_and_at_half_an_epoch()
    {
        using var network = new TestNetwork(layers: 1, perLayer: 1, providers: 1, meanDelayMs: 50);
        DelaySampler sampler = DelaySampler.ForTopology(network.Topology);
        Assert.True(sampler.DrawsDelays);
        Assert.Equal(50, sampler.MeanMs);
        Assert.Equal(network.Topology.Mixing.MaxDelayMs, sampler.MaxMs);

        // A draw of 30 means is cut to the document's cap, 20 means.
        Assert.Equal(1000u, DelaySampler.ForTopology(network.Topology, () => 30).NextMs());
        Assert.Equal(100u, DelaySampler.ForTopology(network.Topology, () => 2).NextMs());

        // 20 means of 90 s are 30 minutes, longer than the keys of a 20-minute epoch last: half an epoch is the cap.
        using var slow = new TestNetwork(layers: 1, perLayer: 1, providers: 1, meanDelayMs: 90_000);
        Assert.Equal(EpochClock.DefaultPeriod.TotalMilliseconds / 2, DelaySampler.ForTopology(slow.Topology).MaxMs);
    }

    [Fact]
    public void A_cap_in_fractions_of_a_millisecond_is_rounded_down()
    {
        // 20 × 12.34 = 246.8 ms: a draw may be 246, never 247 (the node drops more than 246.8).
        var sampler = new DelaySampler(12.34, double.NaN, () => 100);
        Assert.Equal(246, sampler.MaxMs);
        Assert.Equal(246u, sampler.NextMs());
    }

    [Fact]
    public void Under_a_timed_pool_every_draw_is_zero()
    {
        var mixing = new MixingParameters(50, 0.5, MixingStrategy.TimedPool, PoolParameters.Default);
        using var network = new TestNetwork(layers: 1, perLayer: 1, providers: 1, mixing: mixing);
        DelaySampler sampler = DelaySampler.ForTopology(network.Topology, () => 5);
        Assert.False(sampler.DrawsDelays);
        Assert.Same(DelaySampler.Zero, sampler);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0u, sampler.NextMs()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Impossible_means_are_refused(double mean) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DelaySampler(mean));
}
