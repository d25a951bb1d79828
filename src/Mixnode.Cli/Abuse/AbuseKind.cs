namespace Mixnode.Cli.Abuse;

/// <summary>The abuses <c>mixnode abuse</c> reproduces, one class each (docs/security.md, "Abuse and overload measurements").</summary>
internal enum AbuseKind
{
    /// <summary>Throwaway clients: fresh key, handshake, a parked retrieval, one message to a fresh mailbox, close.</summary>
    Identities,

    /// <summary>Messages to fresh random recipient ids at the target provider: one new mailbox each.</summary>
    Mailboxes,

    /// <summary>A victim's unread messages, then a flood to the victim's id: how many of the victim's survive.</summary>
    Victim,

    /// <summary>Packets asking every hop for the longest delay the network accepts: they sit in delay queues.</summary>
    LongDelays,

    /// <summary>Many clients (fresh keys, reconnecting) sending drop packets: ingress that competes with mix links.</summary>
    ClientFlood,

    /// <summary>TCP connections that send a random first handshake message: the responder's X25519 work and a slot.</summary>
    Handshakes,

    /// <summary>Clients that ask for messages and never read their socket: the provider's sends back up.</summary>
    SlowReaders,
}

/// <summary>The command-line names of <see cref="AbuseKind"/>.</summary>
internal static class AbuseKinds
{
    public static readonly IReadOnlyDictionary<string, AbuseKind> ByName = new Dictionary<string, AbuseKind>(StringComparer.Ordinal)
    {
        ["identities"] = AbuseKind.Identities,
        ["mailboxes"] = AbuseKind.Mailboxes,
        ["victim"] = AbuseKind.Victim,
        ["long-delays"] = AbuseKind.LongDelays,
        ["client-flood"] = AbuseKind.ClientFlood,
        ["handshakes"] = AbuseKind.Handshakes,
        ["slow-readers"] = AbuseKind.SlowReaders,
    };

    public static string Name(this AbuseKind kind) => ByName.First(p => p.Value == kind).Key;
}
