using FsCheck.Xunit;
using Mixnode.Cli.Loadgen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenProperties
{
    [Property(MaxTest = 300)]
    public bool Percentiles_are_ordered_and_inside_the_sample(double[] raw)
    {
        double[] samples = [.. (raw ?? []).Where(double.IsFinite).Select(x => Math.Clamp(x, -1e9, 1e9))];
        LatencySummary summary = LatencySummary.Of(samples);
        if (samples.Length == 0)
        {
            return summary.P50 is null && summary.Max is null;
        }

        double min = Math.Round(samples.Min(), 3);
        double max = Math.Round(samples.Max(), 3);
        return summary.P50 <= summary.P90 && summary.P90 <= summary.P99 && summary.P99 <= summary.Max
            && summary.P50 >= min && summary.Max == max;
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
        LoadgenReport report = LoadgenReport.Create(delivered + extra, delivered, 0, [], [], 1, 1, 1, prebuilt: true);
        return report.Lost == extra;
    }
}
