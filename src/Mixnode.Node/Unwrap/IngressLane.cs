namespace Mixnode.Node.Unwrap;

/// <summary>
/// Which budget of the ingress queue a packet is charged to. Mix links and client links have separate capacities so a
/// flood of client packets (or of echo replies they cause) cannot drop the packets other nodes forward through this one.
/// </summary>
internal enum IngressLane
{
    /// <summary>Packets from other nodes' links (and the node's own loops).</summary>
    Mix,

    /// <summary>Packets from clients' links and the echo replies the provider makes for them.</summary>
    Client,
}

internal static class IngressLaneTags
{
    public static string ToTag(this IngressLane lane) => lane == IngressLane.Mix ? "mix" : "client";
}
