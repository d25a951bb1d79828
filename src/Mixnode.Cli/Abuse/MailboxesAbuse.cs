namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>mailboxes</c>: at R/s, messages to fresh random recipient ids at the target provider, sent by a few clients of
/// that provider: each opens a mailbox nobody will read (filling the provider's mailbox table and its memory).
/// </summary>
internal static class MailboxesAbuse
{
    public static IAbuse Create(AbuseTarget target, AbuseOptions options, TextWriter output) =>
        new PacketFloodAbuse(target, options.Clients, b => AbuseMessages.ToFreshMailbox(b, target.Provider, target.Provider), output);
}
