using Microsoft.Extensions.Logging;

namespace Mixnode.Node.Telemetry;

/// <summary>
/// Every log line of the node. Nothing here takes an address, a key, a node id, a packet tag or a
/// recipient: only names the operator chose, counts and closed-set reasons. Nothing per packet above Debug.
/// </summary>
internal static partial class NodeLog
{
    [LoggerMessage(1, LogLevel.Information, "Node {Name} listening for links ({Workers} crypto workers, geometry {PacketLength}-byte packets; X25519 {X25519Backend}, batches {BatchStatus})")]
    public static partial void Listening(ILogger logger, string name, int workers, int packetLength, string x25519Backend, string batchStatus);

    [LoggerMessage(2, LogLevel.Information, "Node {Name} stopped")]
    public static partial void Stopped(ILogger logger, string name);

    [LoggerMessage(3, LogLevel.Debug, "Inbound link closed: {Reason}")]
    public static partial void InboundClosed(ILogger logger, string reason);

    [LoggerMessage(4, LogLevel.Debug, "Outbound link to {Peer} closed: {Reason}")]
    public static partial void OutboundClosed(ILogger logger, string peer, string reason);

    [LoggerMessage(5, LogLevel.Information, "Outbound link to {Peer} established")]
    public static partial void OutboundOpened(ILogger logger, string peer);

    [LoggerMessage(6, LogLevel.Warning, "Outbound link to {Peer} failed ({Failures} in a row); retrying in {Delay}")]
    public static partial void OutboundRetry(ILogger logger, string peer, int failures, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Warning, "Accept failed; the listener goes on")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);

    [LoggerMessage(8, LogLevel.Error, "A crypto worker failed on a packet; the packet is dropped and the worker goes on")]
    public static partial void WorkerFailed(ILogger logger, Exception exception);

    [LoggerMessage(9, LogLevel.Information, "Mix keys now cover epochs {First}..{Last}")]
    public static partial void MixKeysChanged(ILogger logger, long first, long last);

    [LoggerMessage(10, LogLevel.Information, "Topology loaded: {Layers} layers, {Nodes} nodes")]
    public static partial void TopologyLoaded(ILogger logger, int layers, int nodes);

    [LoggerMessage(11, LogLevel.Warning, "Link session failed unexpectedly")]
    public static partial void SessionFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "No loop route through the current network (no layers, no providers, too many layers for the geometry or a missing mix key); loops resume when one exists")]
    public static partial void LoopUnroutable(ILogger logger);

    [LoggerMessage(13, LogLevel.Warning, "Building a loop packet failed; loops go on")]
    public static partial void LoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(14, LogLevel.Information, "Mixing: {Strategy}, loops {LoopRate}/s")]
    public static partial void Mixing(ILogger logger, string strategy, double loopRate);

    [LoggerMessage(15, LogLevel.Information, "Loops of epoch {Epoch}: {Returned} of {Count} came back")]
    public static partial void LoopsReturned(ILogger logger, long epoch, long returned, long count);

    [LoggerMessage(16, LogLevel.Information, "Self-test through the unwrap path passed; the hot path is warm")]
    public static partial void WarmedUp(ILogger logger);

    [LoggerMessage(17, LogLevel.Error, "Self-test through the unwrap path failed ({Count} packets did not unwrap): the node stays not ready; check its mix keys")]
    public static partial void WarmUpFailed(ILogger logger, long count);

    [LoggerMessage(18, LogLevel.Information, "Draining: up to {Budget} for held packets to leave")]
    public static partial void Draining(ILogger logger, TimeSpan budget);

    [LoggerMessage(19, LogLevel.Information, "Stopped after draining: {Left} packets still held were dropped")]
    public static partial void Drained(ILogger logger, int left);

    /// <summary>Only with Mixnode:SafeLogging=false (see <see cref="Ingress.LinkListener.LogPeerAddresses"/>): the one line that names an address.</summary>
    [LoggerMessage(20, LogLevel.Debug, "Inbound link from {UnsafePeerAddress} closed: {Reason}")]
    public static partial void InboundClosedUnsafe(ILogger logger, string unsafePeerAddress, string reason);

    [LoggerMessage(21, LogLevel.Error, "Self-test through the unwrap path threw: the node stays not ready")]
    public static partial void WarmUpFaulted(ILogger logger, Exception exception);
}
