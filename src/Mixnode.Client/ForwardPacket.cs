using Mixnode.Pki;

namespace Mixnode.Client;

/// <summary>
/// A Sphinx packet ready to hand to the sender's provider, with what the client chose for it: the route and the sum
/// of the NodeDelays it asked the hops for (so that a measured latency can be split into mixing delay and the rest).
/// </summary>
internal sealed record ForwardPacket(byte[] Packet, IReadOnlyList<NodeDescriptor> Route, long TotalDelayMs)
{
    /// <summary>Where the packet goes first: the sender's provider.</summary>
    public NodeDescriptor FirstHop => Route[0];
}
