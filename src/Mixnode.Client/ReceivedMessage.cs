namespace Mixnode.Client;

/// <summary>One item from our mailbox.</summary>
public sealed class ReceivedMessage
{
    internal ReceivedMessage(ReceivedMessageKind kind, ReadOnlyMemory<byte> payload, Guid? replyTo)
    {
        Kind = kind;
        Payload = payload;
        ReplyTo = replyTo;
    }

    /// <summary>A message or an echo reply.</summary>
    public ReceivedMessageKind Kind { get; }

    /// <summary>
    /// The message as sent, padded with zeros to <see cref="MixnetClient.MaxMessageLength"/> bytes: the network
    /// carries no length, so an application that needs one puts it in its messages. For an echo reply, the echoed
    /// payload, padded with zeros to the same length.
    /// </summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>For an echo reply, the id <see cref="MixnetClient.SendEchoAsync"/> returned; null for a message.</summary>
    public Guid? ReplyTo { get; }
}
