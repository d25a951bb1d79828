using Microsoft.Extensions.Logging;

namespace Mixnode.Authority.Telemetry;

/// <summary>
/// The authority's log lines. They name authorities by their configured name and nodes not at all (counts only):
/// an authority's log is as public as its documents, but node addresses and keys stay out of it all the same.
/// </summary>
internal static partial class AuthorityLog
{
    [LoggerMessage(1, LogLevel.Information, "Authority {Name} started: {Authorities}, {Nodes} listed nodes, epoch {Epoch} ({Period} s epochs), {Parameters}")]
    public static partial void Started(ILogger logger, string name, string authorities, int nodes, long epoch, double period, string parameters);

    [LoggerMessage(2, LogLevel.Information, "Epoch {Epoch}: vote sent with {Descriptors} descriptors")]
    public static partial void Voted(ILogger logger, long epoch, int descriptors);

    [LoggerMessage(3, LogLevel.Information, "Epoch {Epoch}: reveal sent, {Votes} votes held")]
    public static partial void Revealed(ILogger logger, long epoch, int votes);

    [LoggerMessage(4, LogLevel.Information, "Epoch {Epoch}: document computed from {Votes} votes and signed: {Document}")]
    public static partial void Signed(ILogger logger, long epoch, int votes, string document);

    [LoggerMessage(5, LogLevel.Information, "Epoch {Epoch}: consensus published with {Signatures} signatures")]
    public static partial void Published(ILogger logger, long epoch, int signatures);

    [LoggerMessage(6, LogLevel.Information, "Epoch {Epoch}: consensus fetched from authority {Peer}")]
    public static partial void Fetched(ILogger logger, long epoch, string peer);

    [LoggerMessage(7, LogLevel.Warning, "Epoch {Epoch}: authority {Peer} signed two different votes; its vote is dropped")]
    public static partial void Equivocation(ILogger logger, long epoch, string peer);

    [LoggerMessage(8, LogLevel.Warning, "Epoch {Epoch}: no document yet ({Reason}): {Explanation}")]
    public static partial void NoDocument(ILogger logger, long epoch, string reason, string explanation);

    [LoggerMessage(9, LogLevel.Warning, "Epoch {Epoch}: {Valid} valid signatures of the threshold {Threshold} at the publish deadline; waiting for more")]
    public static partial void TooFewSignatures(ILogger logger, long epoch, int valid, int threshold);

    [LoggerMessage(10, LogLevel.Error, "Epoch {Epoch}: the assembled document fails its own verification and is not published: {Reason}")]
    public static partial void SelfCheckFailed(ILogger logger, long epoch, string reason);

    [LoggerMessage(11, LogLevel.Warning, "Epoch {Epoch}: round abandoned in phase {Phase} without a document")]
    public static partial void Abandoned(ILogger logger, long epoch, string phase);

    [LoggerMessage(12, LogLevel.Error, "Authority step failed")]
    public static partial void StepFailed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Debug, "Refused a {Kind}: {Reason}")]
    public static partial void Refused(ILogger logger, string kind, string reason);
}
