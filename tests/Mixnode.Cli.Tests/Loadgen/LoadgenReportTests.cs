using System.Diagnostics;
using System.Text.Json;
using Mixnode.Cli.Loadgen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenReportTests
{
    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        double[] samples = [.. Enumerable.Range(1, 100).Select(i => (double)i).Reverse()];
        LatencySummary summary = LatencySummary.Of(samples);
        Assert.Equal(50, summary.P50);
        Assert.Equal(90, summary.P90);
        Assert.Equal(99, summary.P99);
        Assert.Equal(100, summary.Max);

        LatencySummary one = LatencySummary.Of([7.5]);
        Assert.Equal(7.5, one.P50);
        Assert.Equal(7.5, one.P99);

        Assert.Equal(2, LatencySummary.Percentile([1, 2, 3, 4], 50));
        Assert.Equal(4, LatencySummary.Percentile([1, 2, 3, 4], 99));
        Assert.Equal(1, LatencySummary.Percentile([1, 2, 3, 4], 0));
    }

    [Fact]
    public void No_samples_give_null_percentiles()
    {
        LatencySummary none = LatencySummary.Of([]);
        Assert.Null(none.P50);
        Assert.Null(none.Max);
    }

    [Fact]
    public void Statistics_count_delivered_lost_duplicates_and_foreign_messages()
    {
        var run = Guid.NewGuid();
        var statistics = new LoadgenStatistics(run, [3, 2]);
        long t0 = 1_000_000;
        long ms = Stopwatch.Frequency / 1000;

        statistics.RecordSent(0, 0, t0, 10);
        statistics.RecordSent(0, 1, t0, 20);
        statistics.RecordSent(0, 2, t0, 30);
        statistics.RecordSent(1, 0, t0, 40);
        statistics.RecordSent(1, 1, t0, 50);
        statistics.RecordSendFailure(1, 1);

        Assert.Equal(DeliveryOutcome.Delivered, statistics.RecordArrival(new LoadgenMessage(run, 0, 0, 0, 10), t0 + (100 * ms)));
        Assert.Equal(DeliveryOutcome.Delivered, statistics.RecordArrival(new LoadgenMessage(run, 0, 2, 0, 30), t0 + (300 * ms)));
        Assert.Equal(DeliveryOutcome.Delivered, statistics.RecordArrival(new LoadgenMessage(run, 1, 0, 0, 40), t0 + (200 * ms)));
        Assert.Equal(DeliveryOutcome.Duplicate, statistics.RecordArrival(new LoadgenMessage(run, 0, 0, 0, 10), t0 + (400 * ms)));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(Guid.NewGuid(), 0, 1, 0, 0), t0 + ms));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(run, 1, 1, 0, 0), t0 + ms));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(run, 7, 0, 0, 0), t0 + ms));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(run, 0, -1, 0, 0), t0 + ms));

        Assert.Equal(4, statistics.Sent);
        Assert.Equal(3, statistics.Delivered);
        Assert.Equal(1, statistics.Duplicates);
        Assert.Equal(4, statistics.Foreign);
        Assert.Equal(1, statistics.SendFailures);

        (double[] latencies, double[] minusDelays) = statistics.Samples();
        LoadgenReport report = LoadgenReport.Create(statistics.Sent, statistics.Delivered, statistics.Duplicates, latencies, minusDelays, 2, 10, 2, prebuilt: true);
        Assert.Equal(1, report.Lost);
        Assert.Equal(1.5, report.ThroughputPerSecond);
        Assert.Equal(200, report.LatencyMs.P50!.Value, 3);
        Assert.Equal(300, report.LatencyMs.Max!.Value, 3);

        // 100 − 10, 300 − 30, 200 − 40.
        Assert.Equal(160, report.LatencyMinusDelaysMs.P50!.Value, 3);
        Assert.Equal(270, report.LatencyMinusDelaysMs.Max!.Value, 3);
    }

    [Fact]
    public void The_json_report_has_the_contract_keys()
    {
        LoadgenReport report = LoadgenReport.Create(10, 8, 1, [1, 2, 3], [0.5, 1, 1.5], 4, 20, 5, prebuilt: true);
        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;
        foreach (string key in new[] { "sent", "delivered", "lost", "duplicates", "throughput_per_sec", "latency_ms", "latency_minus_delays_ms", "prebuilt", "clients", "rate", "duration_s" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        Assert.Equal(2, root.GetProperty("lost").GetInt64());
        Assert.True(root.GetProperty("prebuilt").GetBoolean());
        foreach (string key in new[] { "p50", "p90", "p99", "max" })
        {
            Assert.Equal(JsonValueKind.Number, root.GetProperty("latency_ms").GetProperty(key).ValueKind);
            Assert.Equal(JsonValueKind.Number, root.GetProperty("latency_minus_delays_ms").GetProperty(key).ValueKind);
        }
    }

    [Fact]
    public void The_histogram_page_is_self_contained_and_counts_every_sample()
    {
        double[] samples = [.. Enumerable.Range(0, 1000).Select(i => 100 + (i % 250) * 1.5)];
        (int[] counts, double[] edges) = LatencyHistogram.Bin(samples);
        Assert.Equal(samples.Length, counts.Sum());
        Assert.Equal(samples.Max(), edges[^1], 6);

        LoadgenReport report = LoadgenReport.Create(1000, 1000, 0, samples, samples, 4, 100, 10, prebuilt: true);
        string html = LatencyHistogram.Html(report, samples);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("<rect", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);

        // An empty run still makes a page.
        Assert.Contains("<svg", LatencyHistogram.Html(LoadgenReport.Create(5, 0, 0, [], [], 1, 1, 5, true), []), StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_round_trip_and_other_bytes_are_not_messages()
    {
        var message = new LoadgenMessage(Guid.NewGuid(), 3, 12345, 987654321, 250);
        byte[] payload = new byte[2000];
        message.WriteTo(payload);
        Assert.True(LoadgenMessage.TryRead(payload, out LoadgenMessage back));
        Assert.Equal(message, back);
        Assert.False(LoadgenMessage.TryRead(new byte[2000], out _));
        Assert.False(LoadgenMessage.TryRead(payload.AsSpan(0, 10), out _));
    }

    [Fact]
    public void The_schedule_is_poisson_with_the_asked_rate()
    {
        double[] times = LoadgenRunner.Schedule(rate: 200, durationSeconds: 50);

        // 10 000 expected, standard deviation 100.
        Assert.InRange(times.Length, 9500, 10500);
        Assert.True(times.Zip(times.Skip(1)).All(p => p.First <= p.Second));
        Assert.True(times[^1] < 50);
        double[] gaps = [.. times.Zip(times.Skip(1)).Select(p => p.Second - p.First)];
        Assert.InRange(gaps.Average(), 0.0048, 0.0052);
    }

    [Fact]
    public void The_default_drain_grows_with_hops_and_delay()
    {
        Assert.Equal(TimeSpan.FromMilliseconds((5 * 50 * 10) + 2000 + 50), LoadgenRunner.DefaultDrain(5, 50, TimeSpan.FromMilliseconds(50)));
    }
}
