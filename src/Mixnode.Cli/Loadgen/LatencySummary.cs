using System.Text.Json.Serialization;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// Percentiles of a latency sample in milliseconds, from its HDR histogram (<see cref="LatencyRecorder"/>: each
/// within 0.1 % of the sample's own, never above max); max is exact to the microsecond. All null when nothing arrived.
/// </summary>
internal sealed record LatencySummary(
    [property: JsonPropertyName("p50")] double? P50,
    [property: JsonPropertyName("p90")] double? P90,
    [property: JsonPropertyName("p99")] double? P99,
    [property: JsonPropertyName("max"), JsonPropertyOrder(1)] double? Max)
{
    /// <summary>Added after p50/p90/p99/max, which consumers already read: one delivery in a thousand is this late or later.</summary>
    [JsonPropertyName("p99_9")]
    public double? P99_9 { get; init; }

    /// <summary>Samples summarised.</summary>
    [JsonPropertyName("count")]
    [JsonPropertyOrder(2)]
    public long Count { get; init; }

    public static LatencySummary Of(LatencyRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        return new LatencySummary(Round(recorder.PercentileMs(50)), Round(recorder.PercentileMs(90)), Round(recorder.PercentileMs(99)), Round(recorder.MaxMs))
        {
            P99_9 = Round(recorder.PercentileMs(99.9)),
            Count = recorder.Count,
        };
    }

    /// <summary>The summary of samples given at once (queue waits, tests): recorded into a histogram like any other.</summary>
    public static LatencySummary Of(IEnumerable<double> samplesMs)
    {
        ArgumentNullException.ThrowIfNull(samplesMs);
        var recorder = new LatencyRecorder();
        foreach (double sample in samplesMs)
        {
            recorder.RecordMilliseconds(sample);
        }

        return Of(recorder);
    }

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 3) : null;
}
