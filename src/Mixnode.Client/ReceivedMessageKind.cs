namespace Mixnode.Client;

/// <summary>What a <see cref="ReceivedMessage"/> is.</summary>
public enum ReceivedMessageKind
{
    /// <summary>A message someone sent to our address.</summary>
    Message,

    /// <summary>The answer to one of our <see cref="MixnetClient.SendEchoAsync"/> requests, come back through its SURB.</summary>
    EchoReply,
}
