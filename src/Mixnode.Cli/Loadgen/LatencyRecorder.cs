using HdrHistogram;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// Latencies of one kind over a run, in an HDR histogram (HdrHistogram): microsecond resolution, values up to an
/// hour, 3 significant digits. Its memory is fixed when it is made (about 190 KB), whatever the rate or the length of
/// the run, where a list of samples grew by 8 bytes per delivery. Recording is safe from many threads at once (the
/// links' receive loops record arrivals concurrently); reading is for after recording stopped.
/// A sample may be negative (latency less the chosen delays: a node releases up to its release quantum early). The
/// histogram holds only values from 0 up, so negatives go, as magnitudes, into a second one made on the first negative;
/// percentiles are taken over both as if they were one sample.
/// </summary>
internal sealed class LatencyRecorder
{
    /// <summary>One hour in microseconds: anything later is counted as an hour (a run's drain is far shorter).</summary>
    public const long HighestMicroseconds = 3_600_000_000;

    /// <summary>Bucket width at most 1/1024 of the value: every percentile is within 0.1 % of the sample's.</summary>
    public const int SignificantDigits = 3;

    private readonly LongConcurrentHistogram _atLeastZero = NewHistogram();
    private LongConcurrentHistogram? _belowZero;
    private long _minMicroseconds = long.MaxValue;
    private long _maxMicroseconds = long.MinValue;

    /// <summary>Samples recorded.</summary>
    public long Count => _atLeastZero.TotalCount + (Volatile.Read(ref _belowZero)?.TotalCount ?? 0);

    /// <summary>The histograms' memory (HdrHistogram's own conservative estimate): fixed, whatever was recorded.</summary>
    public long FootprintBytes => _atLeastZero.GetEstimatedFootprintInBytes() + (Volatile.Read(ref _belowZero)?.GetEstimatedFootprintInBytes() ?? 0);

    /// <summary>The smallest sample in milliseconds (exact to the microsecond), or null when none was recorded.</summary>
    public double? MinMs => Count > 0 ? Interlocked.Read(ref _minMicroseconds) / 1000.0 : null;

    /// <summary>The largest sample in milliseconds (exact to the microsecond), or null when none was recorded.</summary>
    public double? MaxMs => Count > 0 ? Interlocked.Read(ref _maxMicroseconds) / 1000.0 : null;

    public void RecordMilliseconds(double milliseconds) => RecordMicroseconds(ToMicroseconds(milliseconds));

    public void RecordMicroseconds(long microseconds)
    {
        microseconds = Math.Clamp(microseconds, -HighestMicroseconds, HighestMicroseconds);
        if (microseconds >= 0)
        {
            _atLeastZero.RecordValue(microseconds);
        }
        else
        {
            LazyInitializer.EnsureInitialized(ref _belowZero, NewHistogram).RecordValue(-microseconds);
        }

        UpdateMin(microseconds);
        UpdateMax(microseconds);
    }

    /// <summary>
    /// The value below or at which <paramref name="percentile"/> % of the samples lie, in milliseconds: HdrHistogram's
    /// (the rank rounded to the nearest sample; the value is the top of its bucket, so at most 0.1 % above the
    /// sample's), never above the largest sample. Null when none was recorded.
    /// </summary>
    public double? PercentileMs(double percentile)
    {
        long negatives = Volatile.Read(ref _belowZero)?.TotalCount ?? 0;
        long total = _atLeastZero.TotalCount + negatives;
        if (total == 0)
        {
            return null;
        }

        long microseconds;
        if (negatives == 0)
        {
            microseconds = _atLeastZero.GetValueAtPercentile(percentile);
        }
        else
        {
            // The rank HdrHistogram would take over the whole sample, then that sample found in the half it lies in:
            // the k-th smallest of all is the (n − k + 1)-th smallest magnitude among the n negatives.
            long rank = Math.Max(1, (long)((Math.Min(percentile, 100) / 100 * total) + 0.5));
            long positives = total - negatives;
            microseconds = rank <= negatives
                ? -_belowZero!.GetValueAtPercentile(100.0 * (negatives - rank + 1) / negatives)
                : _atLeastZero.GetValueAtPercentile(100.0 * (rank - negatives) / positives);
        }

        // A bucket's top can lie past the sample's extremes (a negative's bucket top is its most negative value).
        return Math.Clamp(microseconds, Interlocked.Read(ref _minMicroseconds), Interlocked.Read(ref _maxMicroseconds)) / 1000.0;
    }

    /// <summary>
    /// The distribution by percentile, from HdrHistogram's percentile iteration (<paramref name="ticksPerHalfDistance"/>
    /// steps each time the distance to 100 % halves, so the tail is drawn as finely as the middle): ascending
    /// (percentile, milliseconds) points, the last one the largest sample at 100 %. Samples below zero are not in it
    /// (only latency less the delays has them, and it is not plotted).
    /// </summary>
    public IReadOnlyList<(double Percentile, double Milliseconds)> PercentileCurve(int ticksPerHalfDistance = 5)
    {
        var points = new List<(double, double)>();
        if (_atLeastZero.TotalCount == 0)
        {
            return points;
        }

        long max = Interlocked.Read(ref _maxMicroseconds);
        foreach (var step in _atLeastZero.Percentiles(ticksPerHalfDistance))
        {
            points.Add((Math.Min(step.PercentileLevelIteratedTo, 100), Math.Min(step.ValueIteratedTo, max) / 1000.0));
        }

        return points;
    }

    /// <summary>Every bucket that holds a sample, ascending: a value in it (milliseconds) and how many samples it holds.</summary>
    public IEnumerable<(double Milliseconds, long Count)> Buckets()
    {
        if (Volatile.Read(ref _belowZero) is { } below)
        {
            // Copied before reversing: the iteration hands out one value object, updated at each step.
            (long Magnitude, long Count)[] negatives = [.. below.RecordedValues().Select(b => (b.ValueIteratedTo, b.CountAtValueIteratedTo))];
            for (int i = negatives.Length - 1; i >= 0; i--)
            {
                yield return (-negatives[i].Magnitude / 1000.0, negatives[i].Count);
            }
        }

        foreach (var bucket in _atLeastZero.RecordedValues())
        {
            yield return (bucket.ValueIteratedTo / 1000.0, bucket.CountAtValueIteratedTo);
        }
    }

    /// <summary>Milliseconds as whole microseconds (the histogram's unit), rounded.</summary>
    public static long ToMicroseconds(double milliseconds)
    {
        if (double.IsNaN(milliseconds))
        {
            throw new ArgumentOutOfRangeException(nameof(milliseconds), "a latency is a number");
        }

        return (long)Math.Round(Math.Clamp(milliseconds * 1000, -HighestMicroseconds, HighestMicroseconds));
    }

    private static LongConcurrentHistogram NewHistogram() => new(1, HighestMicroseconds, SignificantDigits);

    private void UpdateMin(long value)
    {
        long seen = Interlocked.Read(ref _minMicroseconds);
        while (value < seen)
        {
            long found = Interlocked.CompareExchange(ref _minMicroseconds, value, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }

    private void UpdateMax(long value)
    {
        long seen = Interlocked.Read(ref _maxMicroseconds);
        while (value > seen)
        {
            long found = Interlocked.CompareExchange(ref _maxMicroseconds, value, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }
}
