using Mixnode.Links;
using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// Loopix drop cover: a client's payload stream sends a packet to this recipient id at a provider when it has no real
/// message to send; the provider discards it after unwrapping it like any other. On the wire and at every mix the
/// packet is an ordinary forward; only its last hop, the provider, learns it was cover.
/// </summary>
internal static class DropRecipient
{
    /// <summary>ASCII "drop" followed by zeros.</summary>
    public static readonly Bytes32 Id = ServiceRecipients.Drop;
}
