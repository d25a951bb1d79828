using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mixnode.Cli.Loadgen;

/// <summary>The result of a run, as written to the JSON report (snake_case keys are part of the loadgen contract).</summary>
internal sealed record LoadgenReport
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    [JsonPropertyName("sent")]
    public required long Sent { get; init; }

    [JsonPropertyName("delivered")]
    public required long Delivered { get; init; }

    /// <summary>Sent messages that never arrived within the drain time.</summary>
    [JsonPropertyName("lost")]
    public long Lost => Sent - Delivered;

    [JsonPropertyName("duplicates")]
    public required long Duplicates { get; init; }

    /// <summary>Delivered messages per second of the timed phase.</summary>
    [JsonPropertyName("throughput_per_sec")]
    public required double ThroughputPerSecond { get; init; }

    /// <summary>From each message's actual send to its first arrival.</summary>
    [JsonPropertyName("latency_ms")]
    public required LatencySummary LatencyMs { get; init; }

    /// <summary>
    /// From each message's scheduled send to its first arrival: corrected for coordinated omission, so a sender that fell
    /// behind its schedule shows (at least latency_ms; the pacer's tick of about a millisecond when it kept up).
    /// </summary>
    [JsonPropertyName("latency_corrected_ms")]
    public required LatencySummary LatencyCorrectedMs { get; init; }

    /// <summary>Latency less the NodeDelays the client chose: what the network itself added (links, queues, crypto, polling).</summary>
    [JsonPropertyName("latency_minus_delays_ms")]
    public required LatencySummary LatencyMinusDelaysMs { get; init; }

    /// <summary>Packets were built before the timed phase, so sending is not slowed by Sphinx crypto.</summary>
    [JsonPropertyName("prebuilt")]
    public required bool Prebuilt { get; init; }

    [JsonPropertyName("clients")]
    public required int Clients { get; init; }

    /// <summary>The offered rate (messages per second over all clients).</summary>
    [JsonPropertyName("rate")]
    public required double Rate { get; init; }

    [JsonPropertyName("duration_s")]
    public required double DurationSeconds { get; init; }

    /// <summary>Stopped by Ctrl-C: duration_s is then the time actually spent sending.</summary>
    [JsonPropertyName("interrupted")]
    public bool Interrupted { get; init; }

    [JsonPropertyName("send_failures")]
    public long SendFailures { get; init; }

    [JsonPropertyName("foreign")]
    public long Foreign { get; init; }

    [JsonPropertyName("drain_s")]
    public double DrainSeconds { get; init; }

    [JsonPropertyName("mean_delay_ms")]
    public double MeanDelayMs { get; init; }

    [JsonPropertyName("hops")]
    public int Hops { get; init; }

    /// <summary>Messages of the run that arrived in a mailbox they were not addressed to (not in delivered).</summary>
    [JsonPropertyName("misdelivered")]
    public long Misdelivered { get; init; }

    /// <summary>The clients sent Loopix cover (payload slots, drops, loops).</summary>
    [JsonPropertyName("cover")]
    public bool Cover { get; init; }

    /// <summary>λP per client used (cover only).</summary>
    [JsonPropertyName("payload_rate_per_client")]
    public double? PayloadRatePerClient { get; init; }

    /// <summary>λL per client used (cover only).</summary>
    [JsonPropertyName("loop_rate_per_client")]
    public double? LoopRatePerClient { get; init; }

    [JsonPropertyName("drops_sent")]
    public long DropsSent { get; init; }

    [JsonPropertyName("loops_sent")]
    public long LoopsSent { get; init; }

    /// <summary>Loops recognised in their sender's mailbox.</summary>
    [JsonPropertyName("loops_returned")]
    public long LoopsReturned { get; init; }

    /// <summary>Messages refused by a full client queue (cover only; never sent, not in sent).</summary>
    [JsonPropertyName("queue_rejected")]
    public long QueueRejected { get; init; }

    /// <summary>From a message's arrival in its client's queue to its payload slot (cover only; null otherwise).</summary>
    [JsonPropertyName("queue_wait_ms")]
    public LatencySummary? QueueWaitMs { get; init; }

    /// <summary>
    /// Mean entropy in bits of a time-only adversary's posterior over every send for each delivered message
    /// (docs/client.md); null when it does not apply (timed pool) or nothing could be scored.
    /// </summary>
    [JsonPropertyName("anonymity_bits")]
    public double? AnonymityBits { get; init; }

    /// <summary>Sends within a delivery's window of the delay density, on average.</summary>
    [JsonPropertyName("anonymity_candidates_mean")]
    public double? AnonymityCandidatesMean { get; init; }

    /// <summary>Deliveries the anonymity figure averages over.</summary>
    [JsonPropertyName("anonymity_scored")]
    public int AnonymityScored { get; init; }

    /// <summary>The fixed latency added to the path's delays in the adversary's model (median of latency − delays, at least 0).</summary>
    [JsonPropertyName("anonymity_shift_ms")]
    public double? AnonymityShiftMs { get; init; }

    /// <summary>Why anonymity_bits is null, or null.</summary>
    [JsonPropertyName("anonymity_note")]
    public string? AnonymityNote { get; init; }

    /// <summary>With --authorities: epoch changes seen during the run (switches to a newer consensus); null with --topology.</summary>
    [JsonPropertyName("epochs_seen")]
    public int? EpochsSeen { get; init; }

    /// <summary>With --authorities: packets rebuilt during the run with a newer consensus's keys and routes.</summary>
    [JsonPropertyName("packets_rebuilt")]
    public long? PacketsRebuilt { get; init; }

    /// <summary>The report of a run from its counts and latency summaries.</summary>
    public static LoadgenReport Create(
        long sent,
        long delivered,
        long duplicates,
        LatencySummary latency,
        LatencySummary latencyCorrected,
        LatencySummary latencyMinusDelays,
        int clients,
        double rate,
        double durationSeconds,
        bool prebuilt) =>
        new()
        {
            Sent = sent,
            Delivered = delivered,
            Duplicates = duplicates,
            ThroughputPerSecond = durationSeconds > 0 ? Math.Round(delivered / durationSeconds, 3) : 0,
            LatencyMs = latency,
            LatencyCorrectedMs = latencyCorrected,
            LatencyMinusDelaysMs = latencyMinusDelays,
            Prebuilt = prebuilt,
            Clients = clients,
            Rate = rate,
            DurationSeconds = durationSeconds,
        };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);
}
