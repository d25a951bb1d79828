using System.Buffers.Binary;
using System.Text;
using Mixnode.Node.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Node.Clients;

/// <summary>
/// The link between a client and its provider: the node link protocol (Noise XX, fixed-size frames) with its
/// own prologue and a framing that also carries mailbox messages. A client's static key is its recipient id.
/// </summary>
internal static class ClientLinkProtocol
{
    private static readonly byte[] s_prologuePrefix = Encoding.ASCII.GetBytes("mixnode-client/1");

    /// <summary>SendPacket of whole packets; Message of delivered messages; MessageACK of SURB replies (tag + payload).</summary>
    public static WireFraming Framing(SphinxGeometry geometry) =>
        new(geometry.PacketLength, messagePayloadLength: geometry.ForwardPayloadLength, ackPayloadLength: geometry.PayloadLength);

    public static byte[] Prologue(WireFraming framing)
    {
        byte[] prologue = new byte[s_prologuePrefix.Length + 4];
        s_prologuePrefix.CopyTo(prologue, 0);
        BinaryPrimitives.WriteInt32BigEndian(prologue.AsSpan(s_prologuePrefix.Length), framing.CommandSize);
        return prologue;
    }
}
