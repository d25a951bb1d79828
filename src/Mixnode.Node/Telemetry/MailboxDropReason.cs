namespace Mixnode.Node.Telemetry;

/// <summary>
/// Why a provider's mailboxes did not keep a message. A closed set: each value becomes the <c>reason</c> tag of
/// <c>mixnode.mailbox.dropped</c>; nothing about the message, its sender or its recipient goes into it.
/// </summary>
public enum MailboxDropReason
{
    /// <summary>The recipient's mailbox already held its capacity (queued plus handed-out messages): the new one was refused.</summary>
    MailboxFull,

    /// <summary>All mailboxes together held <c>Delivery:MaxStoredBytes</c>: the new message was refused.</summary>
    StoreFull,

    /// <summary>A new recipient, and <c>Delivery:MaxMailboxes</c> mailboxes exist: the message was refused.</summary>
    NoMailbox,

    /// <summary>The message waited longer than <c>Delivery:MessageLifetime</c> without being fetched.</summary>
    Expired,
}

/// <summary>Why a client's RetrieveMessage was not parked (it is answered Empty instead). A closed set, tag of <c>mixnode.retrievals.refused</c>.</summary>
public enum RetrievalRefusedReason
{
    /// <summary>The provider already holds <c>Delivery:MaxParkedRetrievals</c> parked retrievals over all clients.</summary>
    ParkedLimit,
}

internal static class MailboxDropReasonTags
{
    public static string ToTag(this MailboxDropReason reason) => reason switch
    {
        MailboxDropReason.MailboxFull => "mailbox_full",
        MailboxDropReason.StoreFull => "store_full",
        MailboxDropReason.NoMailbox => "no_mailbox",
        MailboxDropReason.Expired => "expired",
        _ => "other",
    };

    public static string ToTag(this RetrievalRefusedReason reason) => reason switch
    {
        RetrievalRefusedReason.ParkedLimit => "parked_limit",
        _ => "other",
    };
}
