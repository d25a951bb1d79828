using Mixnode.Cli.Loadgen;
using Mixnode.Cli.Tests.Keygen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LatencyPlotTests : IDisposable
{
    private static readonly byte[] PngMagic = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_plot_is_written_beside_the_report_as_a_real_png()
    {
        (LatencyRecorder raw, LatencyRecorder corrected) = Run(20_000);
        string path = _dir.Combine("report.json.png");
        using var error = new StringWriter();

        Assert.Equal(path, await LoadgenRunner.WritePlotAsync(path, Report(20_000), raw, corrected, error));
        Assert.Equal("", error.ToString());
        byte[] png = await File.ReadAllBytesAsync(path);
        Assert.Equal(PngMagic, png[..8]);

        // The header's IHDR gives the size drawn; a plot with two series, axes and text is well past a blank image.
        Assert.Equal(LatencyPlot.Width, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(LatencyPlot.Height, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        Assert.True(png.Length > 20_000, $"{png.Length} bytes");
    }

    [Fact]
    public void A_run_that_delivered_nothing_still_gets_a_plot()
    {
        byte[] png = LatencyPlot.Png(Report(0), new LatencyRecorder(), new LatencyRecorder());
        Assert.Equal(PngMagic, png[..8]);
    }

    [Fact]
    public async Task A_plot_that_cannot_be_written_is_a_one_line_warning_not_a_failure()
    {
        (LatencyRecorder raw, LatencyRecorder corrected) = Run(100);
        using var error = new StringWriter();
        string path = _dir.Combine("no-such-directory", "report.json.png");

        Assert.Null(await LoadgenRunner.WritePlotAsync(path, Report(100), raw, corrected, error));
        string warning = error.ToString();
        Assert.StartsWith("warning: the latency plot was not drawn (DirectoryNotFoundException", warning, StringComparison.Ordinal);
        Assert.Single(warning.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void The_x_axis_is_in_nines()
    {
        var recorder = new LatencyRecorder();
        for (int i = 1; i <= 1000; i++)
        {
            recorder.RecordMilliseconds(i);
        }

        (double[] xs, double[] ys) = LatencyPlot.Points(recorder);

        // 0 % at 0, 90 % at 1, 99 % at 2; the largest of 1,000 samples at log10(1000) = 3, or just past it where the
        // iteration's last level before 100 % already lay beyond 99.9 %.
        Assert.Equal(0, xs[0]);
        Assert.InRange(xs[^1], 3, 3.05);
        Assert.Equal(1000, ys[^1]);
        Assert.True(xs.Zip(xs.Skip(1)).All(p => p.First <= p.Second));

        // Samples 1 … 1000 ms: the value at x is the (1 − 10^−x) quantile, 1000 (1 − 10^−x) ms, give or take a sample.
        Assert.All(xs.Zip(ys).SkipLast(1), p => Assert.InRange(p.Second, (1000 * (1 - Math.Pow(10, -p.First))) - 2, (1000 * (1 - Math.Pow(10, -p.First))) + 2));
    }

    /// <summary>Latencies of a run: 50-250 ms from the send; from the schedule, one in a hundred 100 ms later.</summary>
    private static (LatencyRecorder Raw, LatencyRecorder Corrected) Run(int count)
    {
        var random = new Random(3);
        var raw = new LatencyRecorder();
        var corrected = new LatencyRecorder();
        for (int i = 0; i < count; i++)
        {
            double latency = 50 + (random.NextDouble() * 200);
            raw.RecordMilliseconds(latency);
            corrected.RecordMilliseconds(latency + (i % 100 == 0 ? 100 : 0.5));
        }

        return (raw, corrected);
    }

    private static LoadgenReport Report(int delivered) =>
        LoadgenReport.Create(delivered, delivered, 0, LatencySummary.Of([]), LatencySummary.Of([]), LatencySummary.Of([]), 16, 1000, 10, prebuilt: true);
}
