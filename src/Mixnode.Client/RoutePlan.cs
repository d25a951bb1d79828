using Mixnode.Pki;

namespace Mixnode.Client;

/// <summary>
/// A route and the NodeDelay of each hop but the last, chosen before the packet is built: callers that want to put
/// the total delay inside the message (measurements) plan first and build after.
/// </summary>
internal sealed record RoutePlan(IReadOnlyList<NodeDescriptor> Route, IReadOnlyList<uint> DelaysMs)
{
    /// <summary>Sum of the NodeDelays, in milliseconds.</summary>
    public long TotalDelayMs => DelaysMs.Sum(d => (long)d);
}
