namespace Mixnode.Cli.Simulate;

/// <summary>The delay a mix adds to its packets: mean and 99th percentile (nearest rank), in seconds.</summary>
internal readonly record struct AddedLatency(double MeanSeconds, double P99Seconds)
{
    public static AddedLatency Of(IReadOnlyCollection<double> latencies)
    {
        ArgumentNullException.ThrowIfNull(latencies);
        if (latencies.Count == 0)
        {
            return new AddedLatency(double.NaN, double.NaN);
        }

        double[] sorted = [.. latencies];
        Array.Sort(sorted);
        int rank = (int)Math.Ceiling(0.99 * sorted.Length) - 1;
        return new AddedLatency(sorted.Average(), sorted[Math.Max(0, rank)]);
    }
}
