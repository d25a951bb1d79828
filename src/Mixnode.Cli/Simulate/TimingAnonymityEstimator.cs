namespace Mixnode.Cli.Simulate;

/// <summary>
/// How well timing hides which delivery is which send, for an adversary who sees every send time s_i and every
/// delivery time d_j (real messages and cover alike) and knows the delay density f: to it, send i became delivery
/// j with probability p_ij ∝ f(d_j − s_i), and H_i = −Σ_j p_ij log2 p_ij is what is left of its uncertainty.
/// </summary>
/// <remarks>
/// This scores each send on its own, ignoring that deliveries and sends pair up one to one (a delivery already
/// explained by another send is less likely to be this one); that is the usual per-message measure, and slightly
/// generous to the defender when traffic is sparse. Only deliveries within [s_i + MinDelay, s_i + MaxDelay] are
/// weighed; both ends move forward with i, so a run costs O(sends · window), not O(sends · deliveries).
/// Sends near the end of a run whose deliveries were not observed score low; callers leave them out.
/// </remarks>
internal static class TimingAnonymityEstimator
{
    /// <summary>Mean and minimum of H_i over <paramref name="sends"/>; both spans sorted ascending (seconds).</summary>
    public static TimingAnonymityEstimate Estimate(ReadOnlySpan<double> sends, ReadOnlySpan<double> deliveries, DelayDensity density)
    {
        var bits = new double[sends.Length];
        long candidates = EntropiesBits(sends, deliveries, density, bits);
        double sum = 0;
        double min = double.PositiveInfinity;
        int scored = 0;
        foreach (double h in bits)
        {
            if (double.IsNaN(h))
            {
                continue;
            }

            sum += h;
            min = Math.Min(min, h);
            scored++;
        }

        return new TimingAnonymityEstimate(
            scored > 0 ? sum / scored : double.NaN,
            scored > 0 ? min : double.NaN,
            sends.Length,
            sends.Length - scored,
            sends.Length > 0 ? (double)candidates / sends.Length : 0);
    }

    /// <summary>
    /// H_i for every send into <paramref name="entropyBits"/> (NaN where no delivery is in the window); returns the
    /// number of (send, delivery) pairs weighed.
    /// </summary>
    public static long EntropiesBits(ReadOnlySpan<double> sends, ReadOnlySpan<double> deliveries, DelayDensity density, Span<double> entropyBits)
    {
        ArgumentNullException.ThrowIfNull(density);
        if (entropyBits.Length < sends.Length)
        {
            throw new ArgumentException("one entry per send is needed", nameof(entropyBits));
        }

        RequireSorted(sends, nameof(sends));
        RequireSorted(deliveries, nameof(deliveries));
        double[] logWeights = new double[64];
        long pairs = 0;
        int first = 0;
        int end = 0;
        for (int i = 0; i < sends.Length; i++)
        {
            double s = sends[i];
            double from = s + density.MinDelay;
            double to = s + density.MaxDelay;
            while (first < deliveries.Length && deliveries[first] < from)
            {
                first++;
            }

            end = Math.Max(end, first);
            while (end < deliveries.Length && deliveries[end] <= to)
            {
                end++;
            }

            int count = end - first;
            if (count > logWeights.Length)
            {
                logWeights = new double[Math.Max(count, logWeights.Length * 2)];
            }

            bool any = false;
            for (int j = 0; j < count; j++)
            {
                double w = density.LogDensity(deliveries[first + j] - s);
                logWeights[j] = w;
                any |= w > double.NegativeInfinity;
            }

            pairs += count;
            entropyBits[i] = any ? EntropyMath.BitsFromLogWeights(logWeights.AsSpan(0, count)) : double.NaN;
        }

        return pairs;
    }

    private static void RequireSorted(ReadOnlySpan<double> times, string name)
    {
        for (int i = 0; i < times.Length; i++)
        {
            if (!double.IsFinite(times[i]) || (i > 0 && times[i] < times[i - 1]))
            {
                throw new ArgumentException($"times must be finite and sorted ascending (index {i})", name);
            }
        }
    }
}
