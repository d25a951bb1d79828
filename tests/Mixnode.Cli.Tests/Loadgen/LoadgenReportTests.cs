using System.Diagnostics;
using System.Text.Json;
using Mixnode.Cli.Loadgen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenReportTests
{
    [Fact]
    public void Percentiles_come_from_the_histogram_within_its_precision_and_max_is_exact()
    {
        // 1 … 100 ms in any order: HdrHistogram's rank picks 50, 90, 99 and 100; each reported value is the top of its
        // bucket (at most 1/1024 above), never above the largest sample.
        double[] samples = [.. Enumerable.Range(1, 100).Select(i => (double)i).Reverse()];
        LatencySummary summary = LatencySummary.Of(samples);
        Assert.InRange(summary.P50!.Value, 50, 50 * 1.001);
        Assert.InRange(summary.P90!.Value, 90, 90 * 1.001);
        Assert.InRange(summary.P99!.Value, 99, 99 * 1.001);
        Assert.Equal(100, summary.P99_9);
        Assert.Equal(100, summary.Max);
        Assert.Equal(100, summary.Count);

        // Below 2.048 ms every microsecond is its own bucket: exact.
        LatencySummary fine = LatencySummary.Of([.. Enumerable.Range(1, 1000).Select(i => i / 1000.0)]);
        Assert.Equal((0.5, 0.9, 0.99, 0.999, 1.0), (fine.P50!.Value, fine.P90!.Value, fine.P99!.Value, fine.P99_9!.Value, fine.Max!.Value));

        LatencySummary one = LatencySummary.Of([7.5]);
        Assert.Equal(7.5, one.P50);
        Assert.Equal(7.5, one.P99);
        Assert.Equal(7.5, one.Max);
    }

    [Fact]
    public void Negative_samples_take_their_place_in_the_percentiles()
    {
        // Latency less the chosen delays: a node may release within its quantum early.
        LatencySummary summary = LatencySummary.Of([-1.5, -0.5, -0.25, 0, 0.5, 1, 2, 3, 4, 5]);
        Assert.Equal(0.5, summary.P50);
        Assert.InRange(summary.P90!.Value, 4, 4 * 1.001);
        Assert.Equal(5, summary.Max);
        Assert.Equal(-0.4, LatencySummary.Of([-0.5, -0.4, 2]).P50);
        Assert.Equal(-1, LatencySummary.Of([-3, -2, -1]).Max);
        Assert.Equal(-2, LatencySummary.Of([-3, -2, -1]).P50);
    }

    [Fact]
    public void No_samples_give_null_percentiles()
    {
        LatencySummary none = LatencySummary.Of([]);
        Assert.Null(none.P50);
        Assert.Null(none.P99_9);
        Assert.Null(none.Max);
        Assert.Equal(0, none.Count);
    }

    [Fact]
    public void Statistics_count_delivered_lost_duplicates_and_foreign_messages()
    {
        var run = Guid.NewGuid();
        var statistics = new LoadgenStatistics(run, [3, 2]);
        long t0 = 1_000_000;
        long ms = Stopwatch.Frequency / 1000;

        // Message (0, 2) left 50 ms after its scheduled time; the others on time.
        statistics.RecordSent(0, 0, t0, t0, 10);
        statistics.RecordSent(0, 1, t0, t0, 20);
        statistics.RecordSent(0, 2, t0, t0 - (50 * ms), 30);
        statistics.RecordSent(1, 0, t0, t0, 40);
        statistics.RecordSent(1, 1, t0, t0, 50);
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

        LoadgenReport report = LoadgenReport.Create(
            statistics.Sent,
            statistics.Delivered,
            statistics.Duplicates,
            LatencySummary.Of(statistics.Latencies),
            LatencySummary.Of(statistics.LatenciesCorrected),
            LatencySummary.Of(statistics.LatenciesMinusDelays),
            2,
            10,
            2,
            prebuilt: true);
        Assert.Equal(1, report.Lost);
        Assert.Equal(1.5, report.ThroughputPerSecond);
        Assert.InRange(report.LatencyMs.P50!.Value, 200, 200.2);
        Assert.Equal(300, report.LatencyMs.Max!.Value, 3);

        // From the scheduled send: 100, 350 (300 + 50 late), 200.
        Assert.InRange(report.LatencyCorrectedMs.P50!.Value, 200, 200.2);
        Assert.Equal(350, report.LatencyCorrectedMs.Max!.Value, 3);

        // 100 − 10, 300 − 30, 200 − 40.
        Assert.InRange(report.LatencyMinusDelaysMs.P50!.Value, 160, 160.2);
        Assert.Equal(270, report.LatencyMinusDelaysMs.Max!.Value, 3);
    }

    [Fact]
    public void The_json_report_has_the_contract_keys()
    {
        LoadgenReport report = LoadgenReport.Create(10, 8, 1, LatencySummary.Of([1, 2, 3]), LatencySummary.Of([1, 1.5, 3]), LatencySummary.Of([0.5, 1, 1.5]), 4, 20, 5, prebuilt: true);
        using JsonDocument json = JsonDocument.Parse(report.ToJson());
        JsonElement root = json.RootElement;
        foreach (string key in new[] { "sent", "delivered", "lost", "duplicates", "throughput_per_sec", "latency_ms", "latency_corrected_ms", "latency_minus_delays_ms", "prebuilt", "clients", "rate", "duration_s" })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        Assert.Equal(2, root.GetProperty("lost").GetInt64());
        Assert.True(root.GetProperty("prebuilt").GetBoolean());
        foreach (string key in new[] { "p50", "p90", "p99", "p99_9", "max", "count" })
        {
            Assert.Equal(JsonValueKind.Number, root.GetProperty("latency_ms").GetProperty(key).ValueKind);
            Assert.Equal(JsonValueKind.Number, root.GetProperty("latency_corrected_ms").GetProperty(key).ValueKind);
            Assert.Equal(JsonValueKind.Number, root.GetProperty("latency_minus_delays_ms").GetProperty(key).ValueKind);
        }

        // The keys consumers read first keep their order: p50, p90, p99, p99_9, max, count.
        Assert.Equal(["p50", "p90", "p99", "p99_9", "max", "count"], root.GetProperty("latency_ms").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.5, root.GetProperty("latency_corrected_ms").GetProperty("p50").GetDouble());
    }

    [Fact]
    public void The_json_report_has_the_cover_and_anonymity_keys()
    {
        LoadgenReport report = Sample() with
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
        LoadgenReport report = Sample() with
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
        var latencies = new LatencyRecorder();
        double[] samples = [.. Enumerable.Range(0, 1000).Select(i => 100 + ((i % 250) * 1.5))];
        foreach (double sample in samples)
        {
            latencies.RecordMilliseconds(sample);
        }

        (long[] counts, double[] edges) = LatencyHtmlPage.Bin(latencies);
        Assert.Equal(samples.Length, counts.Sum());
        Assert.Equal(samples.Max(), edges[^1], 6);

        LoadgenReport report = Sample() with { Sent = 1000, Delivered = 1000 };
        string html = LatencyHtmlPage.Html(report, latencies);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("<rect", html, StringComparison.Ordinal);
        Assert.Contains("corrected for coordinated omission", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);

        // An empty run still makes a page.
        Assert.Contains("<svg", LatencyHtmlPage.Html(Sample() with { Delivered = 0 }, new LatencyRecorder()), StringComparison.Ordinal);
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

    /// <summary>A report of 10 sent, 8 delivered, with some latencies.</summary>
    private static LoadgenReport Sample() =>
        LoadgenReport.Create(10, 8, 1, LatencySummary.Of([1, 2, 3]), LatencySummary.Of([1, 1.5, 3]), LatencySummary.Of([0.5, 1, 1.5]), 4, 20, 5, prebuilt: true);

    [Fact]
    public void The_default_drain_grows_with_hops_and_delay()
    {
        Assert.Equal(TimeSpan.FromMilliseconds((5 * 50 * 10) + 2000 + 50), LoadgenRunner.DefaultDrain(5, 50, TimeSpan.FromMilliseconds(50)));
    }
}
