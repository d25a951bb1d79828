namespace Mixnode.Links;

/// <summary>
/// Why a link was closed or refused. A closed set, used as the <c>reason</c> tag of <c>mixnode.links.closed</c>;
/// never carries who the peer was.
/// </summary>
public enum LinkCloseReason
{
    /// <summary>The peer closed the connection or the node shut down.</summary>
    Closed,

    /// <summary>The handshake did not finish within the handshake timeout.</summary>
    HandshakeTimeout,

    /// <summary>Nothing arrived within the idle timeout.</summary>
    IdleTimeout,

    /// <summary>A handshake message failed to decrypt or parse, or its length field was impossible.</summary>
    HandshakeFailed,

    /// <summary>The peer's static key is not a link key of the topology (inbound), or not the expected node's (outbound).</summary>
    UnknownPeer,

    /// <summary>A transport frame failed authentication.</summary>
    DecryptFailed,

    /// <summary>A decrypted frame held no valid wire command, or a command the link does not accept.</summary>
    MalformedCommand,

    /// <summary>Refused at accept: the node already has its maximum of connections.</summary>
    LimitTotal,

    /// <summary>Refused at accept: the source address already has its maximum of connections.</summary>
    LimitPerAddress,

    /// <summary>The peer sent a Disconnect command.</summary>
    PeerDisconnected,

    /// <summary>A socket error other than an ordinary reset.</summary>
    Error,

    /// <summary>A client stayed above its rate limit for too long.</summary>
    RateLimited,

    /// <summary>A client sent a packet that did not unwrap (bad MAC, malformed).</summary>
    MalformedPacket,

    /// <summary>The peer dropped out of the network's current document (consensus), so its link is closed.</summary>
    RemovedFromTopology,

    /// <summary>A send could not complete within the send timeout: the peer stopped reading (a slow or stalled client).</summary>
    SendTimeout,

    /// <summary>A client kept more retrievals unanswered than a session may (parked plus being answered).</summary>
    RetrievalLimit,

    /// <summary>Refused at accept: the source prefix (IPv4 /24, IPv6 /64) already has its maximum of connections.</summary>
    LimitPerPrefix,

    /// <summary>Refused at accept: the source prefix opened more connections per second than its handshake rate allows.</summary>
    HandshakeRate,

    /// <summary>The peer is still listed but under another link key or address: the link to the old one is closed.</summary>
    PeerChanged,
}

internal static class LinkCloseReasonTags
{
    public static string ToTag(this LinkCloseReason reason) => reason switch
    {
        LinkCloseReason.Closed => "closed",
        LinkCloseReason.HandshakeTimeout => "handshake_timeout",
        LinkCloseReason.IdleTimeout => "idle_timeout",
        LinkCloseReason.HandshakeFailed => "handshake_failed",
        LinkCloseReason.UnknownPeer => "unknown_peer",
        LinkCloseReason.DecryptFailed => "decrypt_failed",
        LinkCloseReason.MalformedCommand => "malformed_command",
        LinkCloseReason.LimitTotal => "limit_total",
        LinkCloseReason.LimitPerAddress => "limit_per_address",
        LinkCloseReason.PeerDisconnected => "peer_disconnected",
        LinkCloseReason.Error => "error",
        LinkCloseReason.RateLimited => "rate_limited",
        LinkCloseReason.MalformedPacket => "malformed_packet",
        LinkCloseReason.RemovedFromTopology => "removed",
        LinkCloseReason.SendTimeout => "send_timeout",
        LinkCloseReason.RetrievalLimit => "retrieval_limit",
        LinkCloseReason.LimitPerPrefix => "limit_per_prefix",
        LinkCloseReason.HandshakeRate => "handshake_rate",
        LinkCloseReason.PeerChanged => "peer_changed",
        _ => "other",
    };
}
