using System.Globalization;
using System.Net;
using System.Text;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// The latency histogram as one self-contained HTML page: an inline SVG, no script, no external style or font, so
/// it opens anywhere and can be attached to a ticket as it is. Written by hand rather than by the plotting library, so
/// that it is there even where the PNG beside it (<see cref="LatencyPlot"/>) cannot be drawn.
/// </summary>
internal static class LatencyHtmlPage
{
    private const int Bins = 40;
    private const int Width = 800;
    private const int Height = 320;
    private const int Left = 60;
    private const int Bottom = 40;
    private const int Top = 20;
    private const int Right = 20;

    /// <summary>
    /// The recorded latencies in <paramref name="bins"/> equal bins over [0, max] (or [min, max] when a sample is
    /// negative): each HDR bucket's count goes to the bin of its value. Counts and the upper edge of each bin.
    /// </summary>
    public static (long[] Counts, double[] UpperEdges) Bin(LatencyRecorder latencies, int bins = Bins)
    {
        ArgumentNullException.ThrowIfNull(latencies);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        long[] counts = new long[bins];
        double[] edges = new double[bins];
        if (latencies is not { MinMs: { } min, MaxMs: { } max })
        {
            return (counts, edges);
        }

        double low = Math.Min(0, min);
        double width = max > low ? (max - low) / bins : 1;
        for (int i = 0; i < bins; i++)
        {
            edges[i] = low + (width * (i + 1));
        }

        foreach ((double value, long count) in latencies.Buckets())
        {
            // A bucket's value is its top, which may lie a little past the largest sample: it goes in the last bin.
            counts[Math.Clamp((int)((Math.Min(value, max) - low) / width), 0, bins - 1)] += count;
        }

        return (counts, edges);
    }

    /// <param name="latencies">The latencies from the actual send (the report's latency_ms).</param>
    public static string Html(LoadgenReport report, LatencyRecorder latencies)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(latencies);
        var c = CultureInfo.InvariantCulture;
        (long[] counts, double[] edges) = Bin(latencies);
        long tallest = Math.Max(1, counts.Max());
        double plotWidth = Width - Left - Right;
        double plotHeight = Height - Top - Bottom;
        double barWidth = plotWidth / counts.Length;

        var svg = new StringBuilder();
        svg.Append(c, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"latency histogram\">\n");
        svg.Append(c, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>\n");
        svg.Append(c, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>\n");
        for (int i = 0; i < counts.Length; i++)
        {
            double h = plotHeight * counts[i] / tallest;
            double x = Left + (i * barWidth);
            double lower = i == 0 ? edges[0] - (edges.Length > 1 ? edges[1] - edges[0] : 0) : edges[i - 1];
            svg.Append(c, $"<rect x=\"{x:F1}\" y=\"{Height - Bottom - h:F1}\" width=\"{Math.Max(1, barWidth - 1):F1}\" height=\"{h:F1}\" fill=\"#3b7dd8\"><title>{lower:F1}–{edges[i]:F1} ms: {counts[i]}</title></rect>\n");
        }

        for (int tick = 0; tick <= 4; tick++)
        {
            int i = Math.Min(counts.Length - 1, (counts.Length - 1) * tick / 4);
            double x = Left + ((i + 1) * barWidth);
            svg.Append(c, $"<text x=\"{x:F1}\" y=\"{Height - Bottom + 16}\" font-size=\"11\" text-anchor=\"middle\">{edges[i]:F0}</text>\n");
        }

        svg.Append(c, $"<text x=\"{Left + (plotWidth / 2):F0}\" y=\"{Height - 6}\" font-size=\"12\" text-anchor=\"middle\">latency (ms)</text>\n");
        svg.Append(c, $"<text x=\"{Left - 8}\" y=\"{Top + 10}\" font-size=\"11\" text-anchor=\"end\">{tallest}</text>\n");
        svg.Append(c, $"<text x=\"{Left - 8}\" y=\"{Height - Bottom}\" font-size=\"11\" text-anchor=\"end\">0</text>\n");
        svg.Append("</svg>\n");

        string summary = string.Create(c,
            $"sent {report.Sent}, delivered {report.Delivered}, lost {report.Lost}, duplicates {report.Duplicates}; " +
            $"{report.Clients} clients at {report.Rate}/s for {report.DurationSeconds} s; " +
            $"latency p50 {Format(report.LatencyMs.P50)} ms, p90 {Format(report.LatencyMs.P90)} ms, p99 {Format(report.LatencyMs.P99)} ms, p99.9 {Format(report.LatencyMs.P99_9)} ms, max {Format(report.LatencyMs.Max)} ms; " +
            $"from the scheduled send (corrected for coordinated omission) p50 {Format(report.LatencyCorrectedMs.P50)} ms, p99 {Format(report.LatencyCorrectedMs.P99)} ms, p99.9 {Format(report.LatencyCorrectedMs.P99_9)} ms, max {Format(report.LatencyCorrectedMs.Max)} ms; " +
            $"minus chosen delays p50 {Format(report.LatencyMinusDelaysMs.P50)} ms");
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>mixnode loadgen latency</title></head>\n" +
               "<body style=\"font-family: sans-serif\">\n<h1>mixnode loadgen: end-to-end latency</h1>\n" +
               $"<p>{WebUtility.HtmlEncode(summary)}</p>\n{svg}</body></html>\n";
    }

    private static string Format(double? value) => value is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "-";
}
