using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>What the provider handed us from our mailbox.</summary>
internal enum ClientDeliveryKind : byte
{
    /// <summary>A message someone sent to our id (ForwardPayloadLength bytes).</summary>
    Message,

    /// <summary>A reply through one of our SURBs: still encrypted (PayloadLength bytes), matched by <see cref="ClientDelivery.SurbId"/>.</summary>
    SurbReply,
}

/// <summary>One item taken from our mailbox; <see cref="QueueSizeHint"/> is how many more wait (at most 255).</summary>
internal sealed record ClientDelivery(ClientDeliveryKind Kind, byte[] Payload, Bytes16 SurbId, byte QueueSizeHint);

/// <summary>
/// Takes each item from our mailbox as it arrives, in place of <see cref="ClientLink.Received"/>: called on the link's
/// receive loop, so it must be quick, never block and never throw (the next frame, and the retrieval after it, wait for it).
/// <paramref name="payload"/> is valid only during the call; nothing is copied or allocated for it. A caller that
/// counts arrivals saves the channel's thread hop and the payload copy per message.
/// </summary>
internal delegate void ClientDeliveryHandler(ClientDeliveryKind kind, ReadOnlySpan<byte> payload, Bytes16 surbId, byte queueSizeHint);
