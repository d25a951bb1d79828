using FsCheck.Xunit;
using Mixnode.Cli.Loadgen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenProperties
{
    /// <summary>
    /// Whatever the sample (negatives too: latency less the delays), each percentile is the sample's own, taken with
    /// HdrHistogram's rank (rounded to the nearest sample), to within the histogram's precision (0.1 %) and the
    /// microsecond the values are recorded in; they are ordered and max is the largest sample.
    /// </summary>
    [Property(MaxTest = 300)]
    public bool Percentiles_are_the_samples_within_the_histograms_precision(double[] raw)
    {
        double[] samples = [.. (raw ?? []).Where(double.IsFinite).Select(x => Math.Clamp(x, -1e6, 1e6))];
        LatencySummary summary = LatencySummary.Of(samples);
        if (samples.Length == 0)
        {
            return summary.P50 is null && summary.P99_9 is null && summary.Max is null && summary.Count == 0;
        }

        double[] sorted = [.. samples.Order()];
        bool Near(double? reported, double percentile)
        {
            long rank = Math.Max(1, (long)((percentile / 100 * sorted.Length) + 0.5));
            double exact = sorted[rank - 1];
            return reported is { } value && Math.Abs(value - exact) <= (Math.Abs(exact) / 1000) + 0.0011;
        }

        return Near(summary.P50, 50) && Near(summary.P90, 90) && Near(summary.P99, 99) && Near(summary.P99_9, 99.9)
            && summary.P50 <= summary.P90 && summary.P90 <= summary.P99 && summary.P99 <= summary.P99_9 && summary.P99_9 <= summary.Max
            && Math.Abs(summary.Max!.Value - sorted[^1]) <= 0.0006 && summary.Count == samples.Length;
    }

    [Property(MaxTest = 300)]
    public bool Messages_round_trip(Guid run, int client, int sequence, long scheduled, long delays, int recipient)
    {
        var message = new LoadgenMessage(run, client, sequence, scheduled, delays, recipient);
        return LoadgenMessage.TryRead(message.ToBytes(), out LoadgenMessage back) && back == message;
    }

    [Property(MaxTest = 200)]
    public bool Lost_is_sent_minus_delivered(ushort delivered, ushort extra)
    {
        LatencySummary none = LatencySummary.Of([]);
        LoadgenReport report = LoadgenReport.Create(delivered + extra, delivered, 0, none, none, none, 1, 1, 1, prebuilt: true);
        return report.Lost == extra;
    }
}
