using Mixnode.Client;

namespace Mixnode.Cli.Loadgen;

/// <summary>One loadgen run as given on the command line.</summary>
internal sealed record LoadgenOptions
{
    /// <summary>Enough clients that each has several others to write to, few enough for a laptop's sockets and cores.</summary>
    public const int DefaultClients = 16;
    public const string DefaultReportPath = "loadgen-report.json";

    /// <summary>Long enough for a local test network's nodes to start listening on a busy machine.</summary>
    public const double DefaultWaitSeconds = 30;

    /// <summary>About 1 GB of prebuilt default-geometry packets (messages and cover together).</summary>
    public const int MaxMessages = 300_000;

    /// <summary>A signed network document on disk; null with <see cref="AuthoritiesPath"/>.</summary>
    public string? TopologyPath { get; init; }

    /// <summary>
    /// The directory authorities' list (authorities.json): the run fetches the verified consensus from them and follows
    /// the epochs; null with <see cref="TopologyPath"/>.
    /// </summary>
    public string? AuthoritiesPath { get; init; }

    /// <summary>Messages per second over all clients.</summary>
    public required double Rate { get; init; }

    public required double DurationSeconds { get; init; }

    public int Clients { get; init; } = DefaultClients;

    public string ReportPath { get; init; } = DefaultReportPath;

    /// <summary>The authority's public key (file or base64); null = trust the document's own (with a warning).</summary>
    public string? AuthorityPublicKey { get; init; }

    /// <summary>How long to wait for stragglers after the last send; null = derived from the route's delays.</summary>
    public double? DrainSeconds { get; init; }

    /// <summary>How long to wait for providers that refuse connections (still starting) before giving up; 0 = not at all.</summary>
    public double WaitSeconds { get; init; } = DefaultWaitSeconds;

    /// <summary>Every client sends as a Loopix client: messages in payload slots, drops in the empty ones, loops.</summary>
    public bool Cover { get; init; }

    /// <summary>λP per client with <see cref="Cover"/>; null = the network document's.</summary>
    public double? PayloadRate { get; init; }

    /// <summary>λL per client with <see cref="Cover"/>; null = the network document's.</summary>
    public double? LoopRate { get; init; }

    /// <summary>
    /// Polls every 20 ms when the mailbox is empty: the wait is part of every measured latency, so keep it small.
    /// 16 retrievals in flight, as many as a provider parks per mailbox: a burst of arrivals is answered at once
    /// instead of waiting a round trip per few messages (at 6,000/s over 4 clients each mailbox takes 1,500/s).
    /// Inline socket completions: <see cref="LoadgenReceiver"/> never blocks, and a thread-pool wake-up per arrival
    /// was most of the loadgen's CPU.
    /// </summary>
    public ClientLinkOptions Link { get; init; } = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(20),
        MaxOutstandingRetrieves = 16,
        InlineSocketCompletions = true,
    };

    /// <summary>What is wrong with the numbers, or null; file problems are found when the run starts.</summary>
    public string? Validate()
    {
        if ((TopologyPath is null) == (AuthoritiesPath is null))
        {
            return "give either --topology FILE (a signed network document) or --authorities FILE (authorities.json), not both";
        }

        if (AuthoritiesPath is not null && AuthorityPublicKey is not null)
        {
            return "--authority-pub checks a --topology file; with --authorities the documents are checked against the keys in authorities.json";
        }

        if (!(Rate > 0 && Rate <= 1_000_000))
        {
            return "--rate must be more than 0 and at most 1000000 messages per second";
        }

        if (!(DurationSeconds > 0 && DurationSeconds <= 86_400))
        {
            return "--duration must be more than 0 and at most 86400 seconds";
        }

        if (Clients < 1 || Clients > 10_000)
        {
            return "--clients must be between 1 and 10000";
        }

        if (DrainSeconds is { } drain && !(drain >= 0 && drain <= 86_400))
        {
            return "--drain-seconds must be between 0 and 86400";
        }

        if (!(WaitSeconds >= 0 && WaitSeconds <= 3600))
        {
            return "--wait must be between 0 and 3600 seconds";
        }

        if (PayloadRate is { } payload && !(payload > 0 && payload <= 1_000_000))
        {
            return "--payload-rate must be more than 0 and at most 1000000 packets per second per client";
        }

        if (LoopRate is { } loop && !(loop >= 0 && loop <= 1_000_000))
        {
            return "--loop-rate must be between 0 and 1000000 packets per second per client";
        }

        if (!Cover && (PayloadRate is not null || LoopRate is not null))
        {
            return "--payload-rate and --loop-rate set the cover streams' rates: they need --cover";
        }

        if (Rate * DurationSeconds > MaxMessages)
        {
            return $"--rate × --duration must be at most {MaxMessages} messages: every packet (3 KB with the default geometry) is built and held in memory before the run";
        }

        return string.IsNullOrWhiteSpace(ReportPath) ? "--report must name a file" : null;
    }
}
