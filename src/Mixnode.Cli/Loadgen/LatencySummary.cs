using System.Text.Json.Serialization;

namespace Mixnode.Cli.Loadgen;

/// <summary>Percentiles of a latency sample in milliseconds; all null when nothing arrived.</summary>
internal sealed record LatencySummary(
    [property: JsonPropertyName("p50")] double? P50,
    [property: JsonPropertyName("p90")] double? P90,
    [property: JsonPropertyName("p99")] double? P99,
    [property: JsonPropertyName("max")] double? Max)
{
    public static LatencySummary Of(IReadOnlyCollection<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new LatencySummary(null, null, null, null);
        }

        double[] sorted = [.. samples.Order()];
        return new LatencySummary(Round(Percentile(sorted, 50)), Round(Percentile(sorted, 90)), Round(Percentile(sorted, 99)), Round(sorted[^1]));
    }

    /// <summary>Nearest-rank percentile of an ascending sample: the smallest value with at least p% of the sample at or below it.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(sorted));
        }

        int rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static double Round(double value) => Math.Round(value, 3);
}
