using Microsoft.Extensions.Logging;

namespace Mixnode.Node.Topology;

/// <summary>
/// Log messages of the consensus follower. Authority names are the operator's labels from authorities.json (public,
/// like node names); reasons are refusal messages, which name rules and epochs, never addresses or keys. Paths only
/// at Debug.
/// </summary>
internal static partial class ConsensusLog
{
    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Consensus for epoch {Epoch} accepted: {Providers} providers, {Layers} layers, {Nodes} nodes, valid in {Epochs}")]
    public static partial void Accepted(ILogger logger, long epoch, int providers, int layers, int nodes, string epochs);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Information, Message = "The consensus for epoch {Epoch} is now in force")]
    public static partial void InForce(ILogger logger, long epoch);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Warning, Message = "A consensus document was refused: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);

    [LoggerMessage(EventId = 1213, Level = LogLevel.Warning, Message = "No consensus for epoch {Epoch} yet: keeping the one of epoch {First}, valid until the end of epoch {Last}")]
    public static partial void Missed(ILogger logger, long epoch, long first, long last);

    [LoggerMessage(EventId = 1214, Level = LogLevel.Error, Message = "No consensus covers epoch {Epoch}: the node is not ready until one is fetched")]
    public static partial void Expired(ILogger logger, long epoch);

    [LoggerMessage(EventId = 1215, Level = LogLevel.Debug, Message = "Descriptor for epoch {Epoch} accepted by authority {Name}")]
    public static partial void UploadAccepted(ILogger logger, long epoch, string name);

    [LoggerMessage(EventId = 1216, Level = LogLevel.Warning, Message = "Descriptor for epoch {Epoch} refused by authority {Name}: {Reason}")]
    public static partial void UploadRefused(ILogger logger, long epoch, string name, string reason);

    [LoggerMessage(EventId = 1217, Level = LogLevel.Warning, Message = "Descriptor for epoch {Epoch} not accepted by authority {Name} before the deadline: {Reason}")]
    public static partial void UploadGaveUp(ILogger logger, long epoch, string name, string reason);

    [LoggerMessage(EventId = 1218, Level = LogLevel.Warning, Message = "This node is not in the consensus for epoch {Epoch}: it keeps uploading its descriptor and is not ready until listed")]
    public static partial void NotListed(ILogger logger, long epoch);

    [LoggerMessage(EventId = 1219, Level = LogLevel.Information, Message = "Cached consensus for epoch {Epoch} loaded")]
    public static partial void CacheLoaded(ILogger logger, long epoch);

    [LoggerMessage(EventId = 1220, Level = LogLevel.Warning, Message = "The cached consensus was not used: {Reason}")]
    public static partial void CacheIgnored(ILogger logger, string reason);

    [LoggerMessage(EventId = 1221, Level = LogLevel.Warning, Message = "The consensus could not be cached: {Reason}")]
    public static partial void CacheWriteFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1222, Level = LogLevel.Error, Message = "A Changed handler of the consensus follower threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1223, Level = LogLevel.Error, Message = "The consensus follower's loop failed; it retries")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1224, Level = LogLevel.Debug, Message = "Consensus cache in {Path}")]
    public static partial void CachePath(ILogger logger, string path);
}
