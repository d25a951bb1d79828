namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Pearson's goodness-of-fit statistic and the quantiles the uniformity tests compare it with.
/// <para>
/// Two kinds of threshold. With a seeded random the outcome is fixed by the seed, so a test passes or fails on every
/// run alike and the usual 0.999 quantile is enough. With the CSPRNG every run draws afresh: at p = 0.001 a suite of
/// eight such tests fails spuriously about once in 125 runs, which would teach everyone to ignore it. Those use the
/// 1 − 10⁻⁷ quantile (one spurious failure in ~1.25 million suite runs); a broken shuffle still fails by orders of
/// magnitude (a shuffle with the classic off-by-one, or none at all, scores in the thousands on these sample sizes).
/// </para>
/// <para>Quantiles computed from the regularized incomplete gamma function (series/continued fraction), 4 digits.</para>
/// </summary>
internal static class ChiSquare
{
    public static double Statistic(IReadOnlyList<long> observed, IReadOnlyList<double> expected)
    {
        Assert.Equal(expected.Count, observed.Count);
        double sum = 0;
        for (int i = 0; i < observed.Count; i++)
        {
            double d = observed[i] - expected[i];
            sum += d * d / expected[i];
        }

        return sum;
    }

    public static double Statistic(IReadOnlyList<long> observed) =>
        Statistic(observed, [.. Enumerable.Repeat((double)observed.Sum() / observed.Count, observed.Count)]);

    /// <summary>The 0.999 quantile, for deterministic (seeded) tests.</summary>
    public static double Quantile999(int degreesOfFreedom) => degreesOfFreedom switch
    {
        3 => 16.27,
        7 => 24.32,
        9 => 27.88,
        23 => 49.73,
        _ => throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "no quantile tabulated"),
    };

    /// <summary>The 1 − 10⁻⁷ quantile, for tests on the unseeded CSPRNG.</summary>
    public static double QuantileStrict(int degreesOfFreedom) => degreesOfFreedom switch
    {
        1 => 28.37,
        2 => 32.24,
        3 => 35.41,
        6 => 43.34,
        7 => 45.70,
        9 => 50.17,
        23 => 76.90,
        _ => throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "no quantile tabulated"),
    };
}
