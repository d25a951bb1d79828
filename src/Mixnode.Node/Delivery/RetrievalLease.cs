namespace Mixnode.Node.Delivery;

/// <summary>A message handed out on a session: its answer number once written.</summary>
internal sealed class RetrievalLease(StoredMessage message)
{
    public StoredMessage Message { get; } = message;

    public uint Number { get; set; }

    public bool Sent { get; set; }
}
