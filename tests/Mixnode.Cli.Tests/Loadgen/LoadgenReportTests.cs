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

        Assert.Equal(DeliveryOutcome.Delivered, statistics.RecordArrival(new LoadgenMessage(run, 0, 0, 0, 10, 1), t0 + (100 * ms), 1));
        Assert.Equal(DeliveryOutcome.Delivered, statistics.RecordArrival(new LoadgenMessage(run, 0, 2, 0, 30, 1), t0 + (300 * ms), 1));
        Assert.Equal(DeliveryOutcome.Delivered, statistics.RecordArrival(new LoadgenMessage(run, 1, 0, 0, 40, 1), t0 + (200 * ms), 1));
        Assert.Equal(DeliveryOutcome.Duplicate, statistics.RecordArrival(new LoadgenMessage(run, 0, 0, 0, 10, 1), t0 + (400 * ms), 1));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(Guid.NewGuid(), 0, 1, 0, 0, 1), t0 + ms, 1));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(run, 1, 1, 0, 0, 1), t0 + ms, 1));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(run, 7, 0, 0, 0, 1), t0 + ms, 1));
        Assert.Equal(DeliveryOutcome.Foreign, statistics.RecordArrival(new LoadgenMessage(run, 0, -1, 0, 0, 1), t0 + ms, 1));

        // In another client's mailbox: a routing fault, not a delivery (and not a duplicate of a later right one).
        Assert.Equal(DeliveryOutcome.Misdelivered, statistics.RecordArrival(new LoadgenMessage(run, 0, 1, 0, 20, 1), t0 + ms, 0));

        Assert.Equal(4, statistics.Sent);
        Assert.Equal(3, statistics.Delivered);
        Assert.Equal(1, statistics.Duplicates);
        Assert.Equal(4, statistics.Foreign);
        Assert.Equal(1, statistics.SendFailures);
        Assert.Equal(1, statistics.Misdelivered);
        Assert.Equal(3, statistics.ArrivalTimestamps().Length);

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
    public void The_json_report_has_the_cover_and_anonymity_keys()
    {
        LoadgenReport report = LoadgenReport.Create(10, 8, 1, [1, 2, 3], [0.5, 1, 1.5], 4, 20, 5, prebuilt: true) with
        {
            Cover = true,
            PayloadRatePerClient = 6.25,
            LoopRatePerClient = 0.5,
            DropsSent = 40,
            LoopsSent = 9,
            LoopsReturned = 8,
            QueueWaitMs = LatencySummary.Of([10, 20]),
            AnonymityBits = 6.5,
            AnonymityCandidatesMean = 300,
            AnonymityScored = 8,
            AnonymityShiftMs = 0.4,
        };
        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;
        Assert.True(root.GetProperty("cover").GetBoolean());
        Assert.Equal(40, root.GetProperty("drops_sent").GetInt64());
        Assert.Equal(9, root.GetProperty("loops_sent").GetInt64());
        Assert.Equal(8, root.GetProperty("loops_returned").GetInt64());
        Assert.Equal(6.5, root.GetProperty("anonymity_bits").GetDouble());
        Assert.Equal(300, root.GetProperty("anonymity_candidates_mean").GetDouble());
        foreach (string key in new[] { "payload_rate_per_client", "loop_rate_per_client", "queue_rejected", "queue_wait_ms", "anonymity_scored", "anonymity_shift_ms", "misdelivered" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        // Without a figure the key is still there, null, with the reason beside it.
        using JsonDocument none = JsonDocument.Parse((report with { AnonymityBits = null, AnonymityNote = "not computed" }).ToJson());
        Assert.Equal(JsonValueKind.Null, none.RootElement.GetProperty("anonymity_bits").ValueKind);
        Assert.Equal("not computed", none.RootElement.GetProperty("anonymity_note").GetString());
    }

    [Fact]
    public void The_summary_shows_cover_counts_and_the_anonymity_figure()
    {
        LoadgenReport report = LoadgenReport.Create(10, 8, 1, [1, 2, 3], [0.5, 1, 1.5], 4, 20, 5, prebuilt: true) with
        {
            Cover = true,
            PayloadRatePerClient = 6.25,
            LoopRatePerClient = 0.5,
            DropsSent = 40,
            LoopsSent = 9,
            LoopsReturned = 8,
            AnonymityBits = 6.5,
            AnonymityCandidatesMean = 300,
            AnonymityScored = 8,
        };
        using var output = new StringWriter();
        new LoadgenProgress(output).WriteReport(report);
        string text = output.ToString();
        Assert.Contains("drops sent", text, StringComparison.Ordinal);
        Assert.Contains("9 / 8", text, StringComparison.Ordinal);
        Assert.Contains("anonymity (timing) bits", text, StringComparison.Ordinal);
        Assert.Contains("6.50", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Recipients_are_other_clients_drawn_uniformly()
    {
        var counts = new int[5];
        for (int i = 0; i < 8000; i++)
        {
            counts[LoadgenRunner.OtherClient(2, 5)]++;
        }

        // 2,000 each expected (sd 39); never the sender.
        Assert.Equal(0, counts[2]);
        Assert.All(counts.Where((_, i) => i != 2), n => Assert.InRange(n, 1800, 2200));
        Assert.Equal(0, LoadgenRunner.OtherClient(0, 1));
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
        var message = new LoadgenMessage(Guid.NewGuid(), 3, 12345, 987654321, 250, 7);
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
