using Mixnode.Sphinx;

namespace Mixnode.Node.Delivery;

/// <summary>
/// What the last hop hands to a delivery sink: the recipient, whether it is a SURB reply (then
/// <see cref="SurbId"/> tells the recipient which of its SURBs it answers) and the bytes, which live in the
/// packet buffer only for the duration of the call.
/// </summary>
public readonly ref struct DeliveredMessage
{
    public DeliveredMessage(Bytes32 recipientId, bool isSurbReply, Bytes16 surbId, ReadOnlySpan<byte> payload)
    {
        RecipientId = recipientId;
        IsSurbReply = isSurbReply;
        SurbId = surbId;
        Payload = payload;
    }

    public Bytes32 RecipientId { get; }

    public bool IsSurbReply { get; }

    public Bytes16 SurbId { get; }

    public ReadOnlySpan<byte> Payload { get; }
}
