namespace Mixnode.Cli.Simulate;

/// <summary>Shannon entropy of distributions given by unnormalised log weights, without overflow.</summary>
internal static class EntropyMath
{
    /// <summary>
    /// Weights below e^-40 of the largest are dropped from windows: together they change an entropy by far less
    /// than a simulation's own noise, and cutting them keeps the sliding windows short.
    /// </summary>
    public const double NegligibleLogRatio = 40;

    private static readonly double Ln2 = Math.Log(2);

    /// <summary>
    /// Entropy in bits of p_j ∝ exp(logWeights[j]). Entries of -∞ are weight 0. Shifting by the largest log weight
    /// before exponentiating keeps densities far from 1 (Erlang tails, microsecond delays) finite.
    /// </summary>
    public static double BitsFromLogWeights(ReadOnlySpan<double> logWeights)
    {
        double max = double.NegativeInfinity;
        foreach (double w in logWeights)
        {
            if (w > max)
            {
                max = w;
            }
        }

        if (!double.IsFinite(max))
        {
            throw new ArgumentException("at least one weight must be positive and finite", nameof(logWeights));
        }

        // With x_j = log w_j - max and S = Σ e^{x_j}: H = -Σ (e^{x_j}/S)(x_j - ln S) = ln S - Σ e^{x_j} x_j / S.
        double sum = 0;
        double weighted = 0;
        foreach (double w in logWeights)
        {
            double x = w - max;
            if (double.IsNegativeInfinity(x))
            {
                continue;
            }

            double e = Math.Exp(x);
            sum += e;
            weighted += e * x;
        }

        // Rounding can leave -1e-16 for a single candidate; entropy is never negative.
        return Math.Max(0, (Math.Log(sum) - (weighted / sum)) / Ln2);
    }

    /// <summary>Entropy in bits of an explicit probability vector (zeros allowed); for tests and small cases.</summary>
    public static double Bits(ReadOnlySpan<double> probabilities)
    {
        double h = 0;
        foreach (double p in probabilities)
        {
            if (p > 0)
            {
                h -= p * Math.Log2(p);
            }
        }

        return h;
    }
}
