using System.Text;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Links;

/// <summary>
/// The link between a client and its provider: the node link protocol (Noise XX, fixed-size frames) with its
/// own prologue and a framing that also carries mailbox messages. A client's static key is its recipient id.
/// </summary>
internal static class ClientLinkProtocol
{
    /// <summary>Index in a provider's <c>addresses</c> of the address clients connect to (the node link address is first).</summary>
    public const int ClientAddressIndex = 1;

    private static readonly byte[] s_prologuePrefix = Encoding.ASCII.GetBytes("mixnode-client/1");

    /// <summary>SendPacket of whole packets; Message of delivered messages; MessageACK of SURB replies (tag + payload).</summary>
    public static WireFraming Framing(SphinxGeometry geometry) =>
        new(geometry.PacketLength, messagePayloadLength: geometry.ForwardPayloadLength, ackPayloadLength: geometry.PayloadLength);

    public static byte[] Prologue(WireFraming framing) => LinkProtocol.Prologue(s_prologuePrefix, framing);
}
