using Microsoft.Extensions.Logging;

namespace Mixnode.Authority.Telemetry;

/// <summary>
/// The authority's log lines. They name authorities by their configured name and nodes not at all (counts only):
/// above Debug, placeholders come from the repository's reviewed allow-list (tests/Mixnode.Node.Tests, PrivacyTests),
/// so explanations that may quote a node's name (a document rule, for instance) are logged at Debug.
/// </summary>
internal static partial class AuthorityLog
{
    [LoggerMessage(1, LogLevel.Information, "Authority {Name} started in epoch {Epoch}: {Count} authorities, {Nodes} listed nodes, {Layers} layers, {Strategy} mixing")]
    public static partial void Started(ILogger logger, string name, long epoch, int count, int nodes, int layers, string strategy);

    [LoggerMessage(14, LogLevel.Debug, "Authority settings: {Authorities}, epochs of {Period} s, parameters {Parameters}")]
    public static partial void Settings(ILogger logger, string authorities, double period, string parameters);

    [LoggerMessage(2, LogLevel.Information, "Epoch {Epoch}: vote sent with {Count} descriptors")]
    public static partial void Voted(ILogger logger, long epoch, int count);

    [LoggerMessage(3, LogLevel.Information, "Epoch {Epoch}: reveal sent, {Count} votes held")]
    public static partial void Revealed(ILogger logger, long epoch, int count);

    [LoggerMessage(4, LogLevel.Information, "Epoch {Epoch}: document computed from {Count} votes and signed: {Providers} providers, {Nodes} mixes in {Layers} layers")]
    public static partial void Signed(ILogger logger, long epoch, int count, int providers, int nodes, int layers);

    [LoggerMessage(5, LogLevel.Information, "Epoch {Epoch}: consensus published with {Count} signatures")]
    public static partial void Published(ILogger logger, long epoch, int count);

    [LoggerMessage(6, LogLevel.Information, "Epoch {Epoch}: consensus fetched from authority {Peer}")]
    public static partial void Fetched(ILogger logger, long epoch, string peer);

    [LoggerMessage(7, LogLevel.Warning, "Epoch {Epoch}: authority {Peer} signed two different votes; its vote is dropped")]
    public static partial void Equivocation(ILogger logger, long epoch, string peer);

    [LoggerMessage(8, LogLevel.Warning, "Epoch {Epoch}: no document yet ({Reason}); waiting for more votes until the epoch ends")]
    public static partial void NoDocument(ILogger logger, long epoch, string reason);

    [LoggerMessage(15, LogLevel.Debug, "Epoch {Epoch}: no document yet: {Explanation}")]
    public static partial void NoDocumentExplained(ILogger logger, long epoch, string explanation);

    [LoggerMessage(9, LogLevel.Warning, "Epoch {Epoch}: {Count} valid signatures at the publish deadline, fewer than the threshold; waiting for more")]
    public static partial void TooFewSignatures(ILogger logger, long epoch, int count);

    [LoggerMessage(10, LogLevel.Error, "Epoch {Epoch}: the assembled document fails its own verification and is not published: {Reason}")]
    public static partial void SelfCheckFailed(ILogger logger, long epoch, string reason);

    [LoggerMessage(11, LogLevel.Warning, "Epoch {Epoch}: round abandoned without a document ({Reason})")]
    public static partial void Abandoned(ILogger logger, long epoch, string reason);

    [LoggerMessage(12, LogLevel.Error, "Authority step failed")]
    public static partial void StepFailed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Debug, "Refused a {Kind}: {Reason}")]
    public static partial void Refused(ILogger logger, string kind, string reason);
}
