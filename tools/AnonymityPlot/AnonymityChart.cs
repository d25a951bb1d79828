using ScottPlot;
using ScottPlot.TickGenerators;

namespace Mixnode.Tools.AnonymityPlot;

/// <summary>Entropy against mean added latency, one line per strategy and rate; latency on a log axis.</summary>
internal static class AnonymityChart
{
    public static void Save(IReadOnlyList<SweepPoint> points, string path)
    {
        var plot = new Plot();
        // One colour per strategy setting, solid at 1,000/s and dashed at 100/s, so both rates of a strategy pair up.
        Color[] palette = [Colors.Black, Colors.DodgerBlue, Colors.DarkOrange, Colors.ForestGreen, Colors.Crimson];
        string[] kinds = [.. points.Select(p => Kind(p.Series)).Distinct()];
        foreach (IGrouping<string, SweepPoint> series in points.GroupBy(p => p.Series))
        {
            SweepPoint[] ordered = [.. series.OrderBy(p => p.Result.Latency.MeanSeconds)];
            double[] xs = [.. ordered.Select(p => Math.Log10(p.Result.Latency.MeanSeconds))];
            double[] ys = [.. ordered.Select(p => p.Result.EntropyBits)];
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = series.Key;
            line.Color = palette[Array.IndexOf(kinds, Kind(series.Key)) % palette.Length];
            line.LineWidth = 2;
            line.MarkerSize = 7;
            line.MarkerShape = ordered[0].Rate >= 1000 ? MarkerShape.FilledCircle : MarkerShape.OpenCircle;
            line.LinePattern = ordered[0].Rate >= 1000 ? LinePattern.Solid : LinePattern.Dashed;
        }

        // The testnet's two settings at its lighter load (docs/anonymity.md).
        Mark(plot, points, "poisson, 1,000/s", "--mean-delay 0.05", "testnet default:\npoisson, 50 ms");
        Mark(plot, points, "timed-pool, min-pool 20, fraction 0.7, 1,000/s", "--interval 0.1 --threshold 0 --min-pool 20 --fraction 0.7", "--mixing timed-pool\ndefaults");

        var ticks = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = x => Math.Pow(10, x).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture),
        };
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.15);
        plot.Grid.MinorLineColor = Colors.Black.WithOpacity(0.05);
        plot.Grid.MinorLineWidth = 1;
        plot.Title("One mix against a global passive adversary (simulated, 100,000 packets per point)");
        plot.XLabel("mean added latency (s, log scale)");
        plot.YLabel("entropy of a packet's departure (bits)");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1200, 800);
    }

    private static void Mark(Plot plot, IReadOnlyList<SweepPoint> points, string series, string settings, string label)
    {
        SweepPoint point = points.Single(p => p.Series == series && p.Settings == settings);
        double x = Math.Log10(point.Result.Latency.MeanSeconds);
        double y = point.Result.EntropyBits;
        var ring = plot.Add.Marker(x, y, MarkerShape.OpenCircle, 18, Colors.Black);
        ring.LineWidth = 2;
        // Above and to the left of the point: the lines rise to the right, so that corner is always empty.
        var text = plot.Add.Text(label, x - 0.03, y + 0.12);
        text.LabelFontSize = 13;
        text.LabelBold = true;
        text.LabelAlignment = Alignment.LowerRight;
    }

    /// <summary>The series name without its rate (", 1,000/s"): points of one strategy setting share a colour.</summary>
    private static string Kind(string series) => series[..series.LastIndexOf(", ", StringComparison.Ordinal)];
}
