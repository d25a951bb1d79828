using Mixnode.Cli.Simulate;

namespace Mixnode.Cli.Tests.Simulate;

/// <summary>The two mixes against their closed forms, and the direction every knob moves them.</summary>
public sealed class MixSimulationTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(100)]
    public void A_threshold_mix_of_n_hides_a_packet_among_exactly_n(int n)
    {
        SimulationResult result = TimedPoolSimulation.Run(100, 20_000, new TimedPoolSettings(0, n, 0, 1), new Random(1));
        Assert.Equal(Math.Log2(n), result.EntropyBits, 1e-9);
        Assert.Equal(Math.Log2(n), result.MinEntropyBits, 1e-9);
        Assert.Equal(0, result.TargetsLeftOut);

        // A packet waits for the (n-1)/2 others that complete its batch, on average.
        Assert.Equal((n - 1) / 2.0 / 100, result.Latency.MeanSeconds, 0.1 * (n - 1) / 2.0 / 100);
    }

    [Fact]
    public void A_pool_of_one_sending_one_of_two_spreads_a_packet_over_a_geometric_series_of_two_bits()
    {
        // Every arrival brings the pool to 2 and sends one of the two: the k-th departure after the target is it
        // with probability 2^-k, and Σ k·2^-k = 2 bits. The 1e-9 cut leaves ~3e-8 unaccounted.
        SimulationResult result = TimedPoolSimulation.Run(50, 5_000, new TimedPoolSettings(0, 2, 1, 1), new Random(2));
        Assert.Equal(2, result.EntropyBits, 1e-6);
    }

    [Fact]
    public void A_poisson_mix_matches_the_differential_entropy_of_its_delay()
    {
        // λ·D = 50: log2(e·λ·D) = 7.087 bits.
        SimulationResult result = PoissonMixSimulation.Run(1000, 50_000, 0.05, new Random(7));
        Assert.InRange(result.EntropyBits, Math.Log2(Math.E * 50) - 0.1, Math.Log2(Math.E * 50) + 0.1);
        Assert.Equal(0.05, result.Latency.MeanSeconds, 0.005);

        // The 99th percentile of Exp(D) is D·ln 100.
        Assert.Equal(0.05 * Math.Log(100), result.Latency.P99Seconds, 0.03);
        Assert.Equal(TargetSelection.MaxTargets, result.Targets);
    }

    [Fact]
    public void More_delay_buys_more_entropy_in_a_poisson_mix()
    {
        double[] delays = [0.005, 0.02, 0.1, 0.5];
        SimulationResult[] results = [.. delays.Select(d => PoissonMixSimulation.Run(100, 10_000, d, new Random(3)))];
        AssertIncreasing(results.Select(r => r.EntropyBits));
        AssertIncreasing(results.Select(r => r.Latency.MeanSeconds));
    }

    [Fact]
    public void More_traffic_buys_more_entropy_at_the_same_delay()
    {
        double[] rates = [10, 100, 1000];
        AssertIncreasing(rates.Select(rate => PoissonMixSimulation.Run(rate, 10_000, 0.05, new Random(4)).EntropyBits));
        AssertIncreasing(rates.Select(rate => TimedPoolSimulation.Run(rate, 10_000, TimedPoolSettings.Default, new Random(4)).EntropyBits));
    }

    [Fact]
    public void Longer_intervals_and_larger_pools_buy_more_entropy_in_a_pool_mix()
    {
        double[] intervals = [0.02, 0.1, 0.5];
        SimulationResult[] timed = [.. intervals.Select(t => TimedPoolSimulation.Run(200, 20_000, new TimedPoolSettings(t, 0, 0, 1), new Random(5)))];
        AssertIncreasing(timed.Select(r => r.EntropyBits));
        AssertIncreasing(timed.Select(r => r.Latency.MeanSeconds));

        // A timed mix that sends everything holds a packet half an interval on average.
        Assert.Equal(0.25, timed[2].Latency.MeanSeconds, 0.02);

        int[] pools = [0, 10, 50];
        SimulationResult[] pooled = [.. pools.Select(m => TimedPoolSimulation.Run(200, 20_000, new TimedPoolSettings(0.1, 0, m, 0.7), new Random(5)))];
        AssertIncreasing(pooled.Select(r => r.EntropyBits));
        AssertIncreasing(pooled.Select(r => r.Latency.MeanSeconds));
    }

    [Fact]
    public void The_same_seed_gives_the_same_run()
    {
        var settings = new TimedPoolSettings(0.05, 30, 5, 0.6);
        Assert.Equal(TimedPoolSimulation.Run(300, 5_000, settings, new Random(9)), TimedPoolSimulation.Run(300, 5_000, settings, new Random(9)));
        Assert.Equal(PoissonMixSimulation.Run(300, 5_000, 0.1, new Random(9)), PoissonMixSimulation.Run(300, 5_000, 0.1, new Random(9)));
    }

    [Fact]
    public void A_target_still_in_the_pool_when_the_flushes_end_is_left_out()
    {
        PoolFlush[] flushes = [new(1, 10, 5), new(2, 10, 5)];
        Assert.Null(TimedPoolSimulation.TargetEntropyBits(flushes, 0));
        Assert.Null(TimedPoolSimulation.TargetEntropyBits(flushes, 2));

        // One flush sending all ten: ten equally likely departures.
        Assert.Equal(Math.Log2(10), TimedPoolSimulation.TargetEntropyBits([new(1, 10, 10)], 0)!.Value, 1e-12);
    }

    private static void AssertIncreasing(IEnumerable<double> values)
    {
        double[] v = [.. values];
        for (int i = 1; i < v.Length; i++)
        {
            Assert.True(v[i] > v[i - 1], $"not increasing at {i}: {string.Join(", ", v)}");
        }
    }
}
