using Mixnode.Sphinx.Commands;

namespace Mixnode.Sphinx;

/// <summary>
/// What a hop learned from a packet it unwrapped, by value (no allocation). The packet bytes themselves
/// stay in the caller's buffer: for <see cref="UnwrappedKind.Forward"/> the whole buffer is now the packet
/// for the next hop; otherwise <see cref="PayloadOffset"/>/<see cref="PayloadLength"/> locate what to deliver.
/// </summary>
public readonly struct UnwrappedPacket
{
    internal UnwrappedPacket(UnwrappedKind kind, in RoutingCommands commands, in Bytes32 replayTag, int payloadOffset, int payloadLength)
    {
        Kind = kind;
        Commands = commands;
        ReplayTag = replayTag;
        PayloadOffset = payloadOffset;
        PayloadLength = payloadLength;
    }

    public UnwrappedKind Kind { get; }

    /// <summary>This hop's commands (NextNodeHop on every hop but the last).</summary>
    public RoutingCommands Commands { get; }

    /// <summary>
    /// SHA-512/256 of the packet's alpha: the same for every copy of a packet, so a node's replay filter keys
    /// on it. Set only when the MAC verified. Never log it.
    /// </summary>
    public Bytes32 ReplayTag { get; }

    /// <summary>Where the delivered bytes start in the packet buffer (Deliver: the message; SurbReply: tag + encrypted payload).</summary>
    public int PayloadOffset { get; }

    public int PayloadLength { get; }

    /// <summary>The delivered bytes inside the buffer that was unwrapped.</summary>
    public Span<byte> Payload(Span<byte> packet) => packet.Slice(PayloadOffset, PayloadLength);
}
