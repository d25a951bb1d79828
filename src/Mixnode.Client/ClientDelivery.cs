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
