using Microsoft.Extensions.Logging;

namespace Mixnode.Node.Keys;

/// <summary>Log messages of key management. Epoch numbers are public; key material and paths never appear above Debug.</summary>
internal static partial class KeysLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Mix keys rotated to epoch {Epoch}; {Count} keys in the ring")]
    public static partial void Rotated(ILogger logger, long epoch, int count);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Mix key of epoch {Epoch} retired")]
    public static partial void Retired(ILogger logger, long epoch);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Generated mix keys for {Count} future epochs")]
    public static partial void Generated(ILogger logger, int count);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Pruned {Count} mix key files of past epochs")]
    public static partial void Pruned(ILogger logger, int count);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "Rewrote the node descriptor at {Path}")]
    public static partial void DescriptorWritten(ILogger logger, string path);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Error, Message = "Mix key rotation failed; retrying at the next epoch boundary")]
    public static partial void RotationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "The replay filter of the mix key of epoch {Epoch} cannot be opened ({Reason}); every packet under that key is refused until it is restored and the node restarted")]
    public static partial void ReplayFilterUnavailable(ILogger logger, long epoch, string reason);
}
