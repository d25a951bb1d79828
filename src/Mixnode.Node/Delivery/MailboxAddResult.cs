namespace Mixnode.Node.Delivery;

/// <summary>What <see cref="Mailbox.TryAdd"/> did.</summary>
internal enum MailboxAddResult
{
    Added,
    Full,
    Removed,
}
