namespace Mixnode.Node.Forwarding;

/// <summary>
/// A packet queued for one next hop, with the time it was queued (to drop it when the peer stays down).
/// <c>default</c> (a null buffer) is the sentinel that wakes the send loop when its link ends.
/// </summary>
internal readonly record struct OutboundItem(byte[] Buffer, int Length, long QueuedTimestamp);
