using FsCheck;
using FsCheck.Xunit;
using Mixnode.Cli.Simulate;

namespace Mixnode.Cli.Tests.Simulate;

/// <summary>The estimator loadgen uses, against the closed form for a route of Poisson mixes and against brute force.</summary>
public sealed class TimingAnonymityEstimatorTests
{
    [Theory]
    // Differential entropy of Erlang(4, 50 ms), -1.403 bits, plus log2 of the rate.
    [InlineData(100, 5_000, 5.24)]
    [InlineData(1000, 10_000, 8.56)]
    public void Four_poisson_hops_of_50_ms_hide_a_message_as_the_closed_form_says(double rate, int messages, double expectedBits)
    {
        var random = new Random(11);
        double[] sends = RandomTimes.PoissonArrivals(random, rate, messages);
        double[] deliveries = [.. sends.Select(s => s + Enumerable.Range(0, 4).Sum(_ => RandomTimes.Exponential(random, 0.05))).Order()];

        // Sends of the first and last tenth have fewer neighbours to hide among; score the steady state.
        double[] steady = sends[(messages / 10)..(messages - (messages / 10))];
        TimingAnonymityEstimate estimate = TimingAnonymityEstimator.Estimate(steady, deliveries, DelayDensity.Erlang(4, 0.05));
        Assert.InRange(estimate.MeanEntropyBits, expectedBits - 0.3, expectedBits + 0.3);
        Assert.Equal(0, estimate.SendsWithoutCandidate);
        Assert.Equal(Math.Pow(2, estimate.MeanEntropyBits), estimate.EffectiveAnonymitySet, 1e-9);
    }

    [Property(MaxTest = 60)]
    public bool The_sliding_window_gives_what_weighing_every_pair_gives(int seed, PositiveInt hopsSeed)
    {
        var random = new Random(seed);
        int hops = (hopsSeed.Get % 5) + 1;
        double mean = 0.01 + random.NextDouble();
        double shift = random.NextDouble() < 0.5 ? 0 : random.NextDouble();
        ErlangDelayDensity density = DelayDensity.Erlang(hops, mean, shift);
        double[] sends = RandomTimes.PoissonArrivals(random, 1 + (random.NextDouble() * 50), 1 + random.Next(150));
        double[] deliveries = RandomTimes.PoissonArrivals(random, 1 + (random.NextDouble() * 50), random.Next(200));
        var windowed = new double[sends.Length];
        TimingAnonymityEstimator.EntropiesBits(sends, deliveries, density, windowed);
        for (int i = 0; i < sends.Length; i++)
        {
            double[] all = [.. deliveries.Select(d => density.LogDensity(d - sends[i]))];
            double brute = all.Any(w => w > double.NegativeInfinity) ? EntropyMath.BitsFromLogWeights(all) : double.NaN;
            bool same = double.IsNaN(brute) ? double.IsNaN(windowed[i]) || windowed[i] < 1e-9 : Math.Abs(brute - windowed[i]) < 1e-9;
            if (!same)
            {
                return false;
            }
        }

        return true;
    }

    [Fact]
    public void A_fixed_network_latency_shifts_the_density_and_changes_nothing_else()
    {
        var random = new Random(12);
        double[] sends = RandomTimes.PoissonArrivals(random, 200, 2_000);
        double[] deliveries = [.. sends.Select(s => s + RandomTimes.Exponential(random, 0.05) + RandomTimes.Exponential(random, 0.05)).Order()];
        double[] late = [.. deliveries.Select(d => d + 0.003)];
        TimingAnonymityEstimate plain = TimingAnonymityEstimator.Estimate(sends, deliveries, DelayDensity.Erlang(2, 0.05));
        TimingAnonymityEstimate shifted = TimingAnonymityEstimator.Estimate(sends, late, DelayDensity.Erlang(2, 0.05, shift: 0.003));
        Assert.Equal(plain.MeanEntropyBits, shifted.MeanEntropyBits, 1e-6);
    }

    [Fact]
    public void A_send_with_no_delivery_in_its_window_is_counted_apart()
    {
        TimingAnonymityEstimate estimate = TimingAnonymityEstimator.Estimate([0.0, 100.0], [0.1, 0.2], DelayDensity.Erlang(1, 0.1));
        Assert.Equal(1, estimate.SendsWithoutCandidate);
        Assert.Equal(2, estimate.Sends);
        Assert.True(estimate.MeanEntropyBits is > 0 and < 1);
    }

    [Fact]
    public void Unsorted_times_are_refused()
    {
        ErlangDelayDensity density = DelayDensity.Erlang(1, 0.1);
        Assert.Throws<ArgumentException>(() => TimingAnonymityEstimator.Estimate([1.0, 0.5], [1.0], density));
        Assert.Throws<ArgumentException>(() => TimingAnonymityEstimator.Estimate([0.5], [2.0, 1.0], density));
    }

    [Theory]
    [InlineData(1, 0.05)]
    [InlineData(4, 0.05)]
    [InlineData(20, 0.001)]
    public void The_erlang_density_integrates_to_one_inside_its_window(int hops, double mean)
    {
        ErlangDelayDensity density = DelayDensity.Erlang(hops, mean, shift: 0.002);
        int steps = 200_000;
        double width = (density.MaxDelay - density.MinDelay) / steps;
        double sum = 0;
        for (int i = 0; i < steps; i++)
        {
            sum += Math.Exp(density.LogDensity(density.MinDelay + ((i + 0.5) * width))) * width;
        }

        Assert.Equal(1, sum, 1e-4);
        Assert.Equal(double.NegativeInfinity, density.LogDensity(0.001));
    }

    [Fact]
    public void The_window_ends_where_the_density_has_fallen_by_e_to_the_40()
    {
        Assert.Equal(40 * 0.05, DelayDensity.Erlang(1, 0.05).MaxDelay, 1e-12);
        ErlangDelayDensity four = DelayDensity.Erlang(4, 0.05);
        double mode = four.LogDensity(3 * 0.05);
        Assert.Equal(mode - EntropyMath.NegligibleLogRatio, four.LogDensity(four.MaxDelay), 1e-6);
    }

    [Fact]
    public void Hundreds_of_hops_of_a_microsecond_stay_finite_in_log_space()
    {
        // In linear space x^199 / (D^200 · 199!) overflows and underflows on the way to a finite density.
        ErlangDelayDensity density = DelayDensity.Erlang(200, 1e-6);
        double atMean = density.LogDensity(200e-6);
        Assert.True(double.IsFinite(atMean), atMean.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(double.IsFinite(density.MaxDelay) && density.MaxDelay > 200e-6);
    }
}
