using Mixnode.Sphinx;

namespace Mixnode.Links.Wire;

/// <summary>
/// The fixed size of every message on one link, agreed by both ends from the geometry alone: the 6-byte
/// header plus the largest body the link carries. Every command is padded with zeros to
/// <see cref="CommandSize"/>, so an observer of the encrypted link cannot tell a NoOp from a packet.
/// </summary>
internal sealed record WireFraming
{
    /// <summary><c>id(1) ‖ reserved(1) ‖ length(4, big-endian)</c>.</summary>
    public const int HeaderLength = 6;

    /// <param name="packetLength">SendPacket body: the Sphinx packet length.</param>
    /// <param name="messagePayloadLength">Message payload on provider–client links; 0 on mix links.</param>
    /// <param name="ackPayloadLength">ACK payload (a SURB reply's Sphinx payload); 0 on mix links.</param>
    public WireFraming(int packetLength, int messagePayloadLength = 0, int ackPayloadLength = 0)
    {
        const int limit = int.MaxValue / 2;
        ArgumentOutOfRangeException.ThrowIfNegative(packetLength);
        ArgumentOutOfRangeException.ThrowIfNegative(messagePayloadLength);
        ArgumentOutOfRangeException.ThrowIfNegative(ackPayloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(packetLength, limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(messagePayloadLength, limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ackPayloadLength, limit);

        PacketLength = packetLength;
        MessagePayloadLength = messagePayloadLength;
        AckPayloadLength = ackPayloadLength;
        int largestBody = Math.Max(
            Math.Max(packetLength, WireCodec.MessagePrefixLength + messagePayloadLength),
            Math.Max(WireCodec.AckPrefixLength + ackPayloadLength, WireCodec.GetConsensusBodyLength));
        CommandSize = HeaderLength + largestBody;
    }

    /// <summary>A mix–mix link: SendPacket of this geometry's packets, NoOp and Disconnect.</summary>
    public static WireFraming ForMixLink(SphinxGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return new WireFraming(geometry.PacketLength);
    }

    public int PacketLength { get; }

    public int MessagePayloadLength { get; }

    public int AckPayloadLength { get; }

    /// <summary>Bytes of every transport message on the link (before the Noise AEAD tag).</summary>
    public int CommandSize { get; }

    /// <summary>The largest Consensus document that fits in one command on this link.</summary>
    public int MaxConsensusPayloadLength => CommandSize - HeaderLength - WireCodec.ConsensusPrefixLength;
}
