using Microsoft.Extensions.Logging;

namespace Mixnode.Node.Topology;

/// <summary>
/// Log messages of the topology provider. The reasons are the validator's messages, which name nodes and rules but
/// never carry addresses or keys; the file path is only logged at Debug.
/// </summary>
internal static partial class TopologyLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Network topology loaded: {Providers} providers, {Layers} layers, {Nodes} nodes, {Epochs}")]
    public static partial void Loaded(ILogger logger, int providers, int layers, int nodes, string epochs);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Warning, Message = "New network document rejected, keeping the current one: {Reason}")]
    public static partial void Rejected(ILogger logger, string reason);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Debug, Message = "Watching the network document {Path}")]
    public static partial void Watching(ILogger logger, string path);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Debug, Message = "File watching unavailable for {Path}; relying on polling")]
    public static partial void WatcherUnavailable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Error, Message = "A Changed handler of the topology provider threw")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);
}
