using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// The latency distribution by percentile as a PNG (ScottPlot on Skia, headless): latency from the actual send and from
/// the scheduled send (corrected for coordinated omission) against the percentile on a "nines" axis, where 90 %, 99 %,
/// 99.9 % … are equally far apart, so the tail that decides how a mix network feels is as wide as the middle.
/// </summary>
internal static class LatencyPlot
{
    public const int Width = 1200;
    public const int Height = 700;

    /// <summary>Draws the plot of a run: the PNG's bytes. Throws what Skia throws where its native library cannot load.</summary>
    public static byte[] Png(LoadgenReport report, LatencyRecorder latencies, LatencyRecorder corrected)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(latencies);
        ArgumentNullException.ThrowIfNull(corrected);
        var c = CultureInfo.InvariantCulture;
        var plot = new Plot();
        double right = 1;
        (LatencyRecorder Recorder, string Label, Color Color)[] series =
        [
            (corrected, "from the scheduled send (corrected for coordinated omission)", Colors.DarkOrange),
            (latencies, "from the actual send", Colors.DodgerBlue),
        ];
        foreach ((LatencyRecorder recorder, string label, Color color) in series)
        {
            (double[] xs, double[] ys) = Points(recorder);
            if (xs.Length == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = label;
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 4;
            right = Math.Max(right, xs[^1]);
        }

        if (latencies.Count == 0)
        {
            plot.Add.Annotation("nothing was delivered");
        }

        var ticks = new NumericManual();
        ticks.AddMajor(0, "0%");
        ticks.AddMajor(Nines(50), "50%");
        for (int nines = 1; nines <= Math.Ceiling(right); nines++)
        {
            ticks.AddMajor(nines, (100 - (100 / Math.Pow(10, nines))).ToString("0.#########", c) + "%");
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.AutoScale();
        // A little room past the last "nines" tick, so its label is not cut at the edge.
        plot.Axes.SetLimitsX(-0.02, Math.Ceiling(right) + 0.12);
        AxisLimits limits = plot.Axes.GetLimits();
        plot.Axes.SetLimitsY(0, Math.Max(1, limits.Top));
        plot.Title(string.Create(c,
            $"mixnode loadgen: end-to-end latency by percentile ({report.Delivered} delivered; {report.Clients} clients at {report.Rate}/s for {report.DurationSeconds} s)"));
        plot.XLabel("percentile (\"nines\" scale: 90%, 99%, 99.9% equally spaced)");
        plot.YLabel("latency (ms)");
        plot.ShowLegend(Alignment.UpperLeft);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }

    /// <summary>
    /// A recorder's percentile curve on the nines axis: x = log10(100 / (100 − percentile)); the 100 % point (the
    /// largest sample) at x = log10(count), where the last of <c>count</c> samples would stand.
    /// </summary>
    public static (double[] Xs, double[] Ys) Points(LatencyRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        var xs = new List<double>();
        var ys = new List<double>();
        foreach ((double percentile, double milliseconds) in recorder.PercentileCurve())
        {
            double x = percentile >= 100 ? Math.Max(Math.Log10(recorder.Count), xs.Count > 0 ? xs[^1] : 0) : Nines(percentile);
            xs.Add(x);
            ys.Add(milliseconds);
        }

        return ([.. xs], [.. ys]);
    }

    private static double Nines(double percentile) => Math.Log10(100 / (100 - percentile));
}
