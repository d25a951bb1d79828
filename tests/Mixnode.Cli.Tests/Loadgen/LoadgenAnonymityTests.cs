using System.Diagnostics;
using Mixnode.Cli.Loadgen;
using Mixnode.Cli.Simulate;

namespace Mixnode.Cli.Tests.Loadgen;

/// <summary>The loadgen's anonymity figure on synthetic runs, where the answer is known without a network.</summary>
public sealed class LoadgenAnonymityTests
{
    [Theory]
    // Four delaying hops of 50 ms; Poisson sends. The closed form: log2(rate) + the Erlang(4, 50 ms)'s differential
    // entropy (−1.403 bits): 5.24 bits at 100/s, 8.56 at 1,000/s.
    [InlineData(100, 60, 5.24)]
    [InlineData(1000, 12, 8.56)]
    public void Four_poisson_hops_of_50_ms_give_the_reference_figures(double rate, double seconds, double expectedBits)
    {
        var random = new Random(21);
        (double[] sends, double[] deliveries) = Run(random, rate, seconds, hops: 4, mean: 0.05, latency: 0);
        LoadgenAnonymityEstimate? estimate = LoadgenAnonymity.Estimate(sends, deliveries, delayingHops: 4, meanDelaySeconds: 0.05, shiftSeconds: 0);
        Assert.NotNull(estimate);
        Assert.InRange(estimate.Bits, expectedBits - 0.3, expectedBits + 0.3);

        // About rate × the window (≈ 2.6 s: the density down by e^-40) sends are weighed per delivery.
        Assert.InRange(estimate.CandidatesMean, rate * 2, rate * 3);
    }

    [Fact]
    public void Cover_sends_the_adversary_cannot_tell_from_messages_raise_the_figure()
    {
        var random = new Random(22);
        (double[] sends, double[] deliveries) = Run(random, 100, 60, hops: 4, mean: 0.05, latency: 0);
        double[] drops = RandomTimes.PoissonArrivals(random, 300, 18_000).Where(t => t < sends[^1]).ToArray();
        double[] withCover = [.. sends.Concat(drops).Order()];

        double plain = LoadgenAnonymity.Estimate(sends, deliveries, 4, 0.05, 0)!.Bits;
        double covered = LoadgenAnonymity.Estimate(withCover, deliveries, 4, 0.05, 0)!.Bits;

        // Four times the sends: about two bits more (log2 4).
        Assert.InRange(covered - plain, 1.7, 2.3);
    }

    [Fact]
    public void A_fixed_network_latency_given_as_the_shift_changes_nothing()
    {
        var random = new Random(23);
        (double[] sends, double[] deliveries) = Run(random, 200, 20, hops: 4, mean: 0.05, latency: 0);
        double[] late = [.. deliveries.Select(d => d + 0.002)];
        double plain = LoadgenAnonymity.Estimate(sends, deliveries, 4, 0.05, 0)!.Bits;
        double shifted = LoadgenAnonymity.Estimate(sends, late, 4, 0.05, 0.002)!.Bits;
        Assert.Equal(plain, shifted, 0.05);
    }

    [Fact]
    public void Deliveries_of_the_warm_up_and_after_the_last_send_are_not_scored_and_the_rest_is_sampled()
    {
        double[] sends = [.. Enumerable.Range(0, 10_001).Select(i => i * 0.001)];

        // Warm-up for 4 hops of 50 ms: 0.2 + 0.4 s.
        double[] deliveries = [0.1, 0.59, 0.61, 5, 9.9, 10.5];
        LoadgenAnonymityEstimate? estimate = LoadgenAnonymity.Estimate(sends, deliveries, 4, 0.05, 0);
        Assert.Equal(3, estimate!.Scored);

        double[] many = [.. Enumerable.Range(0, 9000).Select(i => 0.7 + (i * 0.001))];
        Assert.Equal(1000, LoadgenAnonymity.Estimate(sends, many, 4, 0.05, 0, maxScored: 1000)!.Scored);
    }

    [Fact]
    public void Nothing_to_score_gives_no_figure()
    {
        Assert.Null(LoadgenAnonymity.Estimate([], [1.0], 4, 0.05, 0));
        Assert.Null(LoadgenAnonymity.Estimate([0.0, 1.0], [], 4, 0.05, 0));
        Assert.Null(LoadgenAnonymity.Estimate([0.0, 1.0], [0.1], 4, 0.05, 0));
        Assert.Null(LoadgenAnonymity.Estimate([0.0, 1.0], [0.9], 0, 0.05, 0));
    }

    [Fact]
    public void The_report_gets_the_figure_from_send_and_arrival_timestamps_and_none_under_a_pool()
    {
        var random = new Random(24);
        (double[] sends, double[] deliveries) = Run(random, 100, 30, hops: 4, mean: 0.05, latency: 0.001);
        long start = 1_000_000;
        long Ticks(double seconds) => start + (long)(seconds * Stopwatch.Frequency);
        long[] sendTicks = [.. sends.Select(Ticks)];
        long[] arrivalTicks = [.. deliveries.Select(Ticks)];
        LatencySummary none = LatencySummary.Of([]);
        LoadgenReport Measured(params double[] minusDelaysMs) =>
            LoadgenReport.Create(0, 0, 0, none, none, LatencySummary.Of(minusDelaysMs), 1, 1, 1, prebuilt: true);

        // Latency above the chosen delays: a median of 1 ms becomes the shift; a negative one counts as 0.
        LoadgenReport report = LoadgenRunner.WithAnonymity(Measured(0.9, 1.0, 1.1), "poisson", hops: 5, meanDelayMs: 50, sendTicks, arrivalTicks, start);
        Assert.InRange(report.AnonymityBits!.Value, 5.24 - 0.3, 5.24 + 0.3);
        Assert.Equal(1.0, report.AnonymityShiftMs);
        Assert.True(report.AnonymityScored > 2000);
        Assert.Null(report.AnonymityNote);
        Assert.Equal(0, LoadgenRunner.WithAnonymity(Measured(-0.5, -0.4, 2), "poisson", 5, 50, sendTicks, arrivalTicks, start).AnonymityShiftMs);

        LoadgenReport pool = LoadgenRunner.WithAnonymity(Measured(1.0), "timed-pool", 5, 50, sendTicks, arrivalTicks, start);
        Assert.Null(pool.AnonymityBits);
        Assert.Contains("timed-pool", pool.AnonymityNote, StringComparison.Ordinal);
    }

    /// <summary>Poisson sends for the given time, each delivered after the sum of <paramref name="hops"/> exponential delays plus a fixed latency.</summary>
    private static (double[] Sends, double[] Deliveries) Run(Random random, double rate, double seconds, int hops, double mean, double latency)
    {
        double[] sends = [.. RandomTimes.PoissonArrivals(random, rate, (int)(rate * seconds * 1.2)).Where(t => t < seconds)];
        double[] deliveries = [.. sends.Select(s => s + latency + Enumerable.Range(0, hops).Sum(_ => RandomTimes.Exponential(random, mean)))];
        return (sends, deliveries);
    }
}
