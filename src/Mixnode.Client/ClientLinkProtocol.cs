using System.Buffers.Binary;
using System.Text;
using Mixnode.Node.Links;
using Mixnode.Node.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>
/// What a client and its provider must agree on. Like a node link (Noise XX, 2-byte big-endian handshake lengths,
/// then fixed-size transport frames of one command each) but with its own prologue, so that a client can never be
/// mistaken for a node on the node port or the other way round, and with framing that also carries Message and ACK
/// payloads. Providers list the node link address first and the client address second.
/// </summary>
internal static class ClientLinkProtocol
{
    /// <summary>Index in a provider's <c>addresses</c> of the address clients connect to.</summary>
    public const int ClientAddressIndex = 1;

    private static readonly byte[] s_prologuePrefix = Encoding.ASCII.GetBytes("mixnode-client/1");

    /// <summary>SendPacket of whole packets; Message of delivered messages; ACK of SURB replies (tag included).</summary>
    public static WireFraming Framing(SphinxGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return new WireFraming(geometry.PacketLength, messagePayloadLength: geometry.ForwardPayloadLength, ackPayloadLength: geometry.PayloadLength);
    }

    /// <summary>"mixnode-client/1" followed by the framing's CommandSize, big-endian.</summary>
    public static byte[] Prologue(WireFraming framing)
    {
        ArgumentNullException.ThrowIfNull(framing);
        byte[] prologue = new byte[s_prologuePrefix.Length + 4];
        s_prologuePrefix.CopyTo(prologue, 0);
        BinaryPrimitives.WriteInt32BigEndian(prologue.AsSpan(s_prologuePrefix.Length), framing.CommandSize);
        return prologue;
    }

    public static int TransportFrameLength(WireFraming framing) => LinkProtocol.TransportFrameLength(framing);
}
