using FsCheck;
using FsCheck.Xunit;
using Mixnode.Cli.Simulate;

namespace Mixnode.Cli.Tests.Simulate;

/// <summary>Properties of the pieces the simulations are built from.</summary>
public sealed class SimulateProperties
{
    [Property(MaxTest = 300)]
    public bool A_flush_sends_at_least_one_above_the_minimum_and_never_dips_below_it(NonNegativeInt pool, NonNegativeInt minPool, int fractionSeed)
    {
        double fraction = ((Math.Abs((long)fractionSeed) % 1000) + 1) / 1000.0;
        var settings = new TimedPoolSettings(1, 0, minPool.Get % 1000, fraction);
        int n = pool.Get % 5000;
        int sent = settings.SentAt(n);
        int above = n - settings.MinPool;
        return above <= 0 ? sent == 0 : sent >= 1 && sent <= above && sent >= Math.Floor(fraction * above) - 1e-9;
    }

    [Property(MaxTest = 100)]
    public bool Fraction_one_and_no_minimum_sends_everything(NonNegativeInt pool) =>
        new TimedPoolSettings(1, 0, 0, 1).SentAt(pool.Get) == pool.Get;

    [Property(MaxTest = 300)]
    public bool Entropy_from_log_weights_matches_the_explicit_formula_and_ignores_scale(int seed, PositiveInt size, int shift)
    {
        var random = new Random(seed);
        double[] logWeights = [.. Enumerable.Range(0, (size.Get % 200) + 1).Select(_ => (random.NextDouble() * 30) - 15)];
        double max = logWeights.Max();
        double total = logWeights.Sum(w => Math.Exp(w - max));
        double[] p = [.. logWeights.Select(w => Math.Exp(w - max) / total)];
        double h = EntropyMath.BitsFromLogWeights(logWeights);

        // Adding a constant to every log weight (a density in other units, or far out in its tail) changes nothing,
        // however large: the sum is taken relative to the largest weight.
        double[] shifted = [.. logWeights.Select(w => w + (shift % 100_000))];
        return Math.Abs(h - EntropyMath.Bits(p)) < 1e-9
            && Math.Abs(h - EntropyMath.BitsFromLogWeights(shifted)) < 1e-6
            && h >= 0 && h <= Math.Log2(logWeights.Length) + 1e-9;
    }

    [Property(MaxTest = 100)]
    public bool Equal_weights_give_log2_of_their_count(PositiveInt count, NormalFloat level)
    {
        int n = (count.Get % 10_000) + 1;
        double[] logWeights = [.. Enumerable.Repeat(level.Get, n)];
        return Math.Abs(EntropyMath.BitsFromLogWeights(logWeights) - Math.Log2(n)) < 1e-9;
    }

    [Fact]
    public void Zero_weights_count_as_absent_and_all_zero_is_refused()
    {
        Assert.Equal(1, EntropyMath.BitsFromLogWeights([0, double.NegativeInfinity, 0]), 1e-12);
        Assert.Throws<ArgumentException>(() => EntropyMath.BitsFromLogWeights([double.NegativeInfinity]));
        Assert.Throws<ArgumentException>(() => EntropyMath.BitsFromLogWeights([]));
    }
}
