namespace Mixnode.Authority.Transport;

/// <summary>What became of a message sent to a peer.</summary>
internal enum PeerDelivery
{
    /// <summary>The peer took it (2xx).</summary>
    Delivered,

    /// <summary>The peer refused it (4xx): sending it again would change nothing.</summary>
    Refused,

    /// <summary>No answer (down, timeout, 5xx): try again later.</summary>
    Unreachable,
}
