using Mixnode.Cli.Loadgen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LatencyRecorderTests
{
    [Fact]
    public void Ten_million_samples_take_no_more_memory_than_one()
    {
        var recorder = new LatencyRecorder();
        recorder.RecordMilliseconds(1);
        long footprint = recorder.FootprintBytes;

        // Spread over the whole range, microseconds to the hour's limit and past it (counted as an hour).
        for (long i = 0; i < 10_000_000; i++)
        {
            recorder.RecordMicroseconds((i * 7919) % (LatencyRecorder.HighestMicroseconds + 1000));
        }

        recorder.RecordMicroseconds(LatencyRecorder.HighestMicroseconds * 2);
        Assert.Equal(10_000_002, recorder.Count);
        Assert.Equal(footprint, recorder.FootprintBytes);

        // About 190 KB, where a list of samples would have held 80 MB.
        Assert.InRange(footprint, 100_000, 400_000);
        Assert.Equal(LatencyRecorder.HighestMicroseconds / 1000.0, recorder.MaxMs);
    }

    [Fact]
    public async Task Recording_from_many_threads_at_once_loses_nothing()
    {
        var recorder = new LatencyRecorder();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 100_000; i++)
            {
                recorder.RecordMicroseconds((t * 100_000) + i);
            }
        })));

        Assert.Equal(400_000, recorder.Count);
        Assert.Equal(0, recorder.MinMs);
        Assert.Equal(399.999, recorder.MaxMs);
        Assert.InRange(recorder.PercentileMs(50)!.Value, 200, 200 * 1.001);
    }

    [Fact]
    public void The_percentile_curve_rises_to_the_largest_sample_at_100_percent()
    {
        var recorder = new LatencyRecorder();
        for (int i = 1; i <= 10_000; i++)
        {
            recorder.RecordMilliseconds(i / 10.0);
        }

        IReadOnlyList<(double Percentile, double Milliseconds)> curve = recorder.PercentileCurve();
        Assert.True(curve.Count > 20);
        Assert.Equal((100.0, 1000.0), curve[^1]);
        Assert.True(curve.Zip(curve.Skip(1)).All(p => p.First.Percentile <= p.Second.Percentile && p.First.Milliseconds <= p.Second.Milliseconds));

        // The tail is drawn as finely as the middle: points past 99 %.
        Assert.Contains(curve, p => p.Percentile > 99 && p.Percentile < 100);
        Assert.Empty(new LatencyRecorder().PercentileCurve());
    }

    [Fact]
    public void Buckets_hold_every_sample_negatives_first()
    {
        var recorder = new LatencyRecorder();
        foreach (double sample in new[] { -2.0, -1.0, -1.0, 0, 1.5, 1.5, 1.5 })
        {
            recorder.RecordMilliseconds(sample);
        }

        (double Milliseconds, long Count)[] buckets = [.. recorder.Buckets()];
        // Below 2.048 ms a bucket is one microsecond wide: its value is the sample's.
        Assert.Equal([(-2.0, 1L), (-1.0, 2L), (0.0, 1L), (1.5, 3L)], buckets);
        Assert.Equal(-2, recorder.MinMs);
        Assert.Equal(7, recorder.Count);
    }
}
