namespace Mixnode.Node.Telemetry;

/// <summary>
/// Why a packet was dropped on purpose. A closed set: each value becomes the <c>reason</c> tag of
/// <c>mixnode.packets.dropped</c>, so nothing about the packet itself can leak through it.
/// </summary>
public enum DropReason
{
    /// <summary>Wrong length, bad version, low-order group element, malformed commands or payload tag.</summary>
    Malformed,

    /// <summary>The header MAC did not verify under any of the node's current mix keys.</summary>
    Mac,

    /// <summary>The packet was seen before under the same mix key.</summary>
    Replay,

    /// <summary>A bounded queue was full (ingress, delay queue, outbound queue, mailbox).</summary>
    Overload,

    /// <summary>The requested per-hop delay is above the network's cap (20 × the mean delay) or the node's own bound.</summary>
    Delay,

    /// <summary>The next hop is not in the current topology.</summary>
    NoRoute,

    /// <summary>The next hop stayed unreachable longer than the bounded wait.</summary>
    PeerDown,

    /// <summary>The packet ends at a mix: only providers are last hops (they keep the mailboxes).</summary>
    NotProvider,

    /// <summary>The node stopped while the packet was held, and its delay ended after the shutdown timeout.</summary>
    Shutdown,

    /// <summary>A message to the provider's echo service beyond the echo rate (Clients:EchoRatePerSecond): no reply is made.</summary>
    EchoLimit,
}

internal static class DropReasonTags
{
    /// <summary>The tag value of each reason, built once so hot paths never format strings.</summary>
    public static string ToTag(this DropReason reason) => reason switch
    {
        DropReason.Malformed => "malformed",
        DropReason.Mac => "mac",
        DropReason.Replay => "replay",
        DropReason.Overload => "overload",
        DropReason.Delay => "delay",
        DropReason.NoRoute => "no_route",
        DropReason.PeerDown => "peer_down",
        DropReason.NotProvider => "not_provider",
        DropReason.Shutdown => "shutdown",
        DropReason.EchoLimit => "echo_limit",
        _ => "other",
    };
}
