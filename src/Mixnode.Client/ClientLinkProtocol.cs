using Mixnode.Node.Wire;
using Mixnode.Sphinx;
using NodeSide = Mixnode.Node.Clients.ClientLinkProtocol;

namespace Mixnode.Client;

/// <summary>
/// What a client and its provider must agree on, taken from the provider's own definition so the two cannot
/// drift: Noise XX like a node link but with the "mixnode-client/1" prologue (a client can never pass for a node
/// or the other way round) and framing that also carries Message and ACK payloads. Providers list the node link
/// address first and the client address second.
/// </summary>
internal static class ClientLinkProtocol
{
    /// <summary>Index in a provider's <c>addresses</c> of the address clients connect to.</summary>
    public const int ClientAddressIndex = 1;

    /// <summary>SendPacket of whole packets; Message of delivered messages; ACK of SURB replies (tag included).</summary>
    public static WireFraming Framing(SphinxGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        return NodeSide.Framing(geometry);
    }

    /// <summary>"mixnode-client/1" followed by the framing's CommandSize, big-endian.</summary>
    public static byte[] Prologue(WireFraming framing)
    {
        ArgumentNullException.ThrowIfNull(framing);
        return NodeSide.Prologue(framing);
    }
}
