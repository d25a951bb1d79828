using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Forwarding;
using Mixnode.Links;
using Mixnode.Node.Mixing;
using Mixnode.Node.Unwrap;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Telemetry;

/// <summary>
/// Telemetry without per-user data (docs/node.md, "Telemetry"): tags come from closed sets only, and no peer address, node id,
/// packet tag, SURB id or key ever becomes a tag or a log field. (a) runs every metric the node has and checks
/// every tag it records; (b) reads every [LoggerMessage] template in src/ and checks its placeholders.
/// </summary>
public sealed partial class PrivacyTests
{
    private static readonly string[] s_instruments =
    [
        "mixnode.packets.received", "mixnode.packets.forwarded", "mixnode.packets.delivered", "mixnode.packets.dropped",
        "mixnode.unwrap.duration", "mixnode.mix.delay", "mixnode.cover.loops.sent", "mixnode.cover.loops.returned", "mixnode.cover.drops.received", "mixnode.links.active", "mixnode.links.opened", "mixnode.links.closed",
        "mixnode.queue.depth", "mixnode.epoch", "mixnode.replay.filter.fill_ratio", "mixnode.replay.filter.false_positive_ratio",
        "mixnode.cover.loops.return_ratio", "mixnode.links.peers",
        "mixnode.replay.filter.flush_failures", "mixnode.replay.filter.open_failures",
        "mixnode.mailbox.dropped", "mixnode.retrievals.refused", "mixnode.mailbox.count", "mixnode.mailbox.stored_bytes",
        "mixnode.ingress.dropped",
    ];

    private static readonly string[] s_dropReasons = ["malformed", "mac", "replay", "overload", "delay", "no_route", "peer_down", "not_provider", "shutdown", "echo_limit"];

    private static readonly string[] s_closeReasons =
    [
        "closed", "handshake_timeout", "idle_timeout", "handshake_failed", "unknown_peer", "decrypt_failed",
        "malformed_command", "limit_total", "limit_per_address", "peer_disconnected", "error", "rate_limited", "malformed_packet",
        "removed", "send_timeout", "retrieval_limit", "limit_per_prefix", "handshake_rate",
        "peer_changed",
    ];

    private static readonly string[] s_directions = ["inbound", "outbound"];

    private static readonly string[] s_queues = ["ingress", "mix", "outbound"];

    private static readonly string[] s_peerStates = ["up", "down"];

    private static readonly string[] s_mailboxDropReasons = ["mailbox_full", "store_full", "no_mailbox", "expired"];

    private static readonly string[] s_retrievalRefusedReasons = ["parked_limit"];

    private static readonly string[] s_ingressLanes = ["mix", "client"];

    // Relative to the current epoch: never an epoch number or anything of the key itself.
    private static readonly string[] s_replayKeys = ["previous", "current", "next"];

    /// <summary>The tag key each instrument may use (none for the rest).</summary>
    private static readonly Dictionary<string, (string Key, string[] Values)> s_tagOf = new()
    {
        ["mixnode.packets.dropped"] = ("reason", s_dropReasons),
        ["mixnode.links.closed"] = ("reason", s_closeReasons),
        ["mixnode.links.opened"] = ("direction", s_directions),
        ["mixnode.links.active"] = ("direction", s_directions),
        ["mixnode.queue.depth"] = ("queue", s_queues),
        ["mixnode.links.peers"] = ("state", s_peerStates),
        ["mixnode.mailbox.dropped"] = ("reason", s_mailboxDropReasons),
        ["mixnode.retrievals.refused"] = ("reason", s_retrievalRefusedReasons),
        ["mixnode.ingress.dropped"] = ("lane", s_ingressLanes),
        ["mixnode.replay.filter.fill_ratio"] = ("key", s_replayKeys),
        ["mixnode.replay.filter.false_positive_ratio"] = ("key", s_replayKeys),
    };

    private static readonly string[] s_allowedTagKeys = ["reason", "direction", "queue", "state", "lane", "key"];

    // Placeholder names that would put a peer, a user or a secret into a log line, whatever the level.
    // Whole-name fragments are matched anywhere; short words only as a word of the camel-cased name ("Id" in
    // "NodeId", but not "id" in "Valid").
    private static readonly string[] s_forbiddenFragments = ["address", "endpoint", "recipient", "surb", "nodeid", "remote", "client", "user"];

    private static readonly string[] s_forbiddenWords = ["ip", "port", "key", "keys", "tag", "tags", "id", "ids", "mac", "secret", "alpha", "hash"];

    // What an Information-or-above line may carry: operator-chosen or public, aggregate values only.
    //   Name, Peer        node names: chosen by operators and published in the signed topology (public data)
    //   Reason            closed-set reasons (LinkCloseReason tags) or the topology validator's messages, which
    //                     name nodes and rules, never addresses or keys
    //   Count, Workers, Layers, Nodes, Providers, PacketLength, Failures
    //                     counts and sizes of the node's own configuration or state
    //   Epoch, Epochs, First, Last
    //                     epoch numbers: network-wide public time, not the time of any single packet
    //   Delay             the node's own reconnect backoff, not a packet's delay
    //   X25519Backend, BatchStatus
    //                     which crypto code this build and CPU run ("openssl", "avx512ifma x8"): software, not traffic
    //   Strategy, LoopRate
    //                     the network's mixing strategy and cover rate: public, the same for every node of a network
    //   Returned          how many of the node's own loops of an epoch came back: a count over the whole epoch
    //   Budget, Left      the node's own drain: its configured time budget and how many packets it still held
    // Deliberately not here: Path (file paths stay at Debug, as KeysLog and TopologyLog promise), anything
    // per packet or per connection.
    private static readonly string[] s_allowedAtInformation =
    [
        "Strategy", "LoopRate", "Returned", "Budget", "Left",
        "Name", "Peer", "Reason", "Count", "Workers", "Layers", "Nodes", "Providers", "PacketLength", "Failures",
        "Epoch", "Epochs", "First", "Last", "Delay", "X25519Backend", "BatchStatus",
    ];

    [Fact]
    public async Task Every_instrument_records_only_closed_set_tags()
    {
        using var factory = new TestMeterFactory();
        var metrics = new NodeMetrics(factory);
        var instruments = new List<Instrument>();
        var measurements = new List<(string Instrument, KeyValuePair<string, object?>[] Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                lock (instruments)
                {
                    instruments.Add(instrument);
                }

                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, tags.ToArray()));
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        // Every method, every enum value, and every component that registers a queue depth, built as the node builds them.
        metrics.PacketReceived();
        metrics.PacketForwarded();
        metrics.PacketDelivered();
        metrics.LoopSent();
        metrics.LoopReturned();
        metrics.CoverDropReceived();
        metrics.ReplayFlushFailed();
        metrics.ReplayFilterOpenFailed();
        foreach (DropReason reason in Enum.GetValues<DropReason>())
        {
            metrics.PacketDropped(reason);
        }

        Assert.Contains(true, Enumerable.Range(0, NodeMetrics.HistogramSampleEvery).Select(_ => metrics.SampleUnwrap()).ToList());
        Assert.Contains(true, Enumerable.Range(0, NodeMetrics.HistogramSampleEvery).Select(_ => metrics.SampleMixDelay()).ToList());
        metrics.UnwrapTimed(Stopwatch.GetTimestamp());
        metrics.MixDelayObserved(TimeSpan.FromMilliseconds(42));
        foreach (bool inbound in new[] { true, false })
        {
            metrics.LinkOpened(inbound);
            metrics.LinkEnded(inbound);
        }

        foreach (LinkCloseReason reason in Enum.GetValues<LinkCloseReason>())
        {
            metrics.LinkClosed(reason);
        }

        foreach (IngressLane lane in Enum.GetValues<IngressLane>())
        {
            metrics.IngressDropped(lane);
        }

        foreach (MailboxDropReason reason in Enum.GetValues<MailboxDropReason>())
        {
            metrics.MailboxDropped(reason);
        }

        foreach (RetrievalRefusedReason reason in Enum.GetValues<RetrievalRefusedReason>())
        {
            metrics.RetrievalRefused(reason);
        }

        metrics.ObserveNode(() => new NodeGauges(Epoch: 250_000, ReplayFilters: [new(ReplayFilterKey.Previous, 0.5, 1e-8), new(ReplayFilterKey.Current, 0.25, 1e-9), new(ReplayFilterKey.Next, 0, 0)], LoopReturnRatio: 0.98, PeersUp: 2, PeersDown: 1));
        var time = new FakeTimeProvider();
        _ = new IngressQueue(16, metrics);
        using var mailboxes = new Mixnode.Node.Delivery.MailboxDeliverySink(Microsoft.Extensions.Options.Options.Create(new NodeOptions()), metrics, time);
        using var delays = new StopAndGoMixer(16, time, new RecordingForwarder(time), metrics);
        using X25519PrivateKey linkKey = X25519PrivateKey.Generate();
        var settings = new LinkSessionSettings(WireFraming.ForMixLink(SphinxGeometry.Default), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval);
        await using var outbound = new OutboundPool(() => throw new InvalidOperationException("not routed in this test"), linkKey, settings, new LinkOptions(), metrics, NullLogger.Instance, time);
        listener.RecordObservableInstruments();

        // The instruments are exactly the documented ones: a new one must be added here, and so reviewed.
        Assert.Equal(s_instruments.Order(), instruments.Select(i => i.Name).Order());
        Assert.Empty(metrics.Meter.Tags ?? []);
        Assert.All(instruments, i => Assert.Empty(i.Tags ?? []));
        Assert.Equal(s_instruments.Order(), measurements.Select(m => m.Instrument).Distinct().Order());

        foreach ((string instrument, KeyValuePair<string, object?>[] tags) in measurements)
        {
            Assert.All(tags, t => Assert.Contains(t.Key, s_allowedTagKeys));
            Assert.All(tags, t => AssertHarmless(Assert.IsType<string>(t.Value)));
            if (s_tagOf.TryGetValue(instrument, out (string Key, string[] Values) expected))
            {
                KeyValuePair<string, object?> tag = Assert.Single(tags);
                Assert.Equal(expected.Key, tag.Key);
                Assert.Contains((string)tag.Value!, expected.Values);
            }
            else
            {
                Assert.Empty(tags);
            }
        }

        // Every value of the closed sets was exercised, so nothing above was vacuous.
        Assert.Equal(s_dropReasons.Order(), TagValues(measurements, "mixnode.packets.dropped").Order());
        Assert.Equal(s_closeReasons.Order(), TagValues(measurements, "mixnode.links.closed").Order());
        Assert.Equal(s_directions.Order(), TagValues(measurements, "mixnode.links.opened").Order());
        Assert.Equal(s_queues.Order(), TagValues(measurements, "mixnode.queue.depth").Order());
        Assert.Equal(s_peerStates.Order(), TagValues(measurements, "mixnode.links.peers").Order());
        Assert.Equal(s_mailboxDropReasons.Order(), TagValues(measurements, "mixnode.mailbox.dropped").Order());
        Assert.Equal(s_retrievalRefusedReasons.Order(), TagValues(measurements, "mixnode.retrievals.refused").Order());
        Assert.Equal(s_ingressLanes.Order(), TagValues(measurements, "mixnode.ingress.dropped").Order());
        Assert.Equal(s_replayKeys.Order(), TagValues(measurements, "mixnode.replay.filter.fill_ratio").Order());
        Assert.Equal(s_replayKeys.Order(), TagValues(measurements, "mixnode.replay.filter.false_positive_ratio").Order());
    }

    [Fact]
    public void Each_reason_has_its_own_tag_and_none_falls_back_to_other()
    {
        Assert.Equal(s_dropReasons, Enum.GetValues<DropReason>().Select(r => r.ToTag()));
        Assert.Equal(s_closeReasons, Enum.GetValues<LinkCloseReason>().Select(r => r.ToTag()));
        Assert.Equal(s_mailboxDropReasons, Enum.GetValues<MailboxDropReason>().Select(r => r.ToTag()));
        Assert.Equal(s_retrievalRefusedReasons, Enum.GetValues<RetrievalRefusedReason>().Select(r => r.ToTag()));
    }

    [Fact]
    public void Queue_depths_are_registered_only_under_fixed_names()
    {
        // A queue name built from a peer (say "outbound:" + name) would not show up in the test above unless that
        // peer existed; the call sites show it at once.
        var calls = SourceFiles()
            .SelectMany(f => QueueDepthCall().Matches(File.ReadAllText(f)).Select(m => (File: f, Argument: m.Groups["arg"].Value.Trim())))
            .ToList();
        // Every name is used (each mixer strategy registers "mix"), and no other.
        Assert.Equal(s_queues.Order(), calls.Select(c => c.Argument.Trim('"')).Distinct().Order());
        Assert.All(calls, c => Assert.Matches("^\"[a-z]+\"$", c.Argument));
    }

    [Fact]
    public void No_log_template_names_an_address_a_key_or_an_id_and_lines_above_debug_carry_only_allowed_fields()
    {
        List<LogTemplate> templates = [.. SourceFiles().SelectMany(ReadTemplates)];

        // NodeLog, KeysLog and TopologyLog at least; the parser must not have silently skipped anything.
        Assert.True(templates.Count >= 22, $"found only {templates.Count} [LoggerMessage] templates");
        foreach (string file in SourceFiles())
        {
            int declared = Regex.Matches(File.ReadAllText(file), @"\[LoggerMessage\b").Count;
            Assert.True(declared == templates.Count(t => t.File == file), $"{file}: {declared} [LoggerMessage] attributes, {templates.Count(t => t.File == file)} parsed");
        }

        var violations = new List<string>();
        foreach (LogTemplate template in templates)
        {
            foreach (string placeholder in template.Placeholders)
            {
                if (IsForbidden(placeholder) && !IsReviewedUnsafe(template, placeholder))
                {
                    violations.Add($"{template}: placeholder {{{placeholder}}} names something that identifies a peer, a user or a secret");
                }
                else if (template.Level >= Microsoft.Extensions.Logging.LogLevel.Information && !s_allowedAtInformation.Contains(placeholder))
                {
                    violations.Add($"{template}: placeholder {{{placeholder}}} is not allowed at {template.Level}; log it at Debug or extend the reviewed allow-list");
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void The_one_log_line_that_may_name_an_address_is_debug_and_called_only_behind_the_SafeLogging_switch()
    {
        List<LogTemplate> unsafeTemplates = [.. SourceFiles().SelectMany(ReadTemplates).Where(t => t.Placeholders.Any(p => p.StartsWith("Unsafe", StringComparison.Ordinal)))];
        LogTemplate template = Assert.Single(unsafeTemplates);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, template.Level);

        // Every call site sits in the branch that Mixnode:SafeLogging=false (LogPeerAddresses) opens.
        var calls = SourceFiles()
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (File: f, Line: i, Text: line, Lines: File.ReadAllLines(f))))
            .Where(l => l.Text.Contains("NodeLog.InboundClosedUnsafe(", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.Contains("if (LogPeerAddresses)", string.Join('\n', c.Lines[Math.Max(0, c.Line - 3)..c.Line]), StringComparison.Ordinal));
    }

    /// <summary>Placeholders named Unsafe… at Debug: reviewed, and gated by SafeLogging (see the test above).</summary>
    private static bool IsReviewedUnsafe(LogTemplate template, string placeholder) =>
        placeholder.StartsWith("Unsafe", StringComparison.Ordinal) && template.Level == Microsoft.Extensions.Logging.LogLevel.Debug;

    [Theory]
    [InlineData("NodeId", true)]
    [InlineData("PeerAddress", true)]
    [InlineData("IPAddress", true)]
    [InlineData("RemoteIP", true)]
    [InlineData("EndPoint", true)]
    [InlineData("Endpoint", true)]
    [InlineData("Port", true)]
    [InlineData("LinkKey", true)]
    [InlineData("ReplayTag", true)]
    [InlineData("Recipient", true)]
    [InlineData("SurbId", true)]
    [InlineData("Id", true)]
    [InlineData("Name", false)]
    [InlineData("Peer", false)]
    [InlineData("Reason", false)]
    [InlineData("PacketLength", false)]
    [InlineData("Epoch", false)]
    [InlineData("Valid", false)]
    [InlineData("Report", false)]
    public void The_placeholder_check_catches_what_it_should(string placeholder, bool forbidden) =>
        Assert.Equal(forbidden, IsForbidden(placeholder));

    [Theory]
    [InlineData("Node {Name} listening ({Workers} workers, {PacketLength:N0}-byte packets) {{literal}}", new[] { "Name", "Workers", "PacketLength" })]
    [InlineData("{A,5} and {B:c}", new[] { "A", "B" })]
    [InlineData("no placeholders {{here}}", new string[0])]
    public void The_template_parser_finds_each_placeholder(string template, string[] expected) =>
        Assert.Equal(expected, Placeholders(template));

    private static IEnumerable<string> TagValues(List<(string Instrument, KeyValuePair<string, object?>[] Tags)> measurements, string instrument) =>
        measurements.Where(m => m.Instrument == instrument).SelectMany(m => m.Tags).Select(t => (string)t.Value!).Distinct();

    /// <summary>A tag value that could carry a peer or a secret: an address, a number (a port), hex or base64 of a key.</summary>
    private static void AssertHarmless(string value)
    {
        Assert.False(IPAddress.TryParse(value, out _), $"'{value}' parses as an IP address");
        Assert.DoesNotMatch("[0-9]", value);
        Assert.DoesNotMatch("^[0-9a-fA-F]{16,}$", value);
        Assert.DoesNotMatch("^[A-Za-z0-9+/]{20,}={0,2}$", value);
        Assert.Matches("^[a-z][a-z_]{0,31}$", value);
    }

    private static bool IsForbidden(string placeholder)
    {
        string lower = placeholder.ToLowerInvariant();
        if (s_forbiddenFragments.Any(f => lower.Contains(f, StringComparison.Ordinal)))
        {
            return true;
        }

        return CamelWord().Matches(placeholder).Any(w => s_forbiddenWords.Contains(w.Value.ToLowerInvariant()));
    }

    private static string[] Placeholders(string template)
    {
        string unescaped = template.Replace("{{", "", StringComparison.Ordinal).Replace("}}", "", StringComparison.Ordinal);
        return [.. Placeholder().Matches(unescaped).Select(m => m.Groups["name"].Value.Trim())];
    }

    private static IEnumerable<LogTemplate> ReadTemplates(string file)
    {
        foreach (Match attribute in LoggerMessageAttribute().Matches(File.ReadAllText(file)))
        {
            string arguments = attribute.Groups["args"].Value;
            Match level = Regex.Match(arguments, @"LogLevel\.(?<level>\w+)");

            // A level passed at the call site is unknown here: treat it as the strictest case.
            Microsoft.Extensions.Logging.LogLevel logLevel = level.Success
                ? Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(level.Groups["level"].Value)
                : Microsoft.Extensions.Logging.LogLevel.Critical;
            Match named = Regex.Match(arguments, @"\bMessage\s*=\s*(?<text>""(?:[^""\\]|\\.)*"")");
            string message = named.Success
                ? named.Groups["text"].Value
                : StringLiteral().Matches(arguments).Single(m => !Regex.IsMatch(arguments[..m.Index], @"\w+\s*=\s*$")).Value;
            int line = File.ReadAllText(file)[..attribute.Index].Count(c => c == '\n') + 1;
            yield return new LogTemplate(file, line, logLevel, message, Placeholders(Regex.Unescape(message[1..^1])));
        }
    }

    private static IEnumerable<string> SourceFiles()
    {
        string src = Path.Combine(RepositoryFiles.Root(), "src");
        char sep = Path.DirectorySeparatorChar;
        return Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
    }

    // [LoggerMessage( … )] with string literals and one level of parentheses inside.
    [GeneratedRegex(@"\[LoggerMessage\((?<args>(?:[^()""]|""(?:[^""\\]|\\.)*""|\((?:[^()""]|""(?:[^""\\]|\\.)*"")*\))*)\)\]")]
    private static partial Regex LoggerMessageAttribute();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{(?<name>[^{}:,]+)(?:[,:][^{}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")]
    private static partial Regex CamelWord();

    [GeneratedRegex(@"(?<!void\s)ObserveQueueDepth\((?<arg>[^,()]*),")]
    private static partial Regex QueueDepthCall();

    private sealed record LogTemplate(string File, int Line, Microsoft.Extensions.Logging.LogLevel Level, string Message, string[] Placeholders)
    {
        public override string ToString() => $"{System.IO.Path.GetFileName(File)}:{Line} [{Level}] {Message}";
    }
}
