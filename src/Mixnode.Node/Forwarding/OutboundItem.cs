namespace Mixnode.Node.Forwarding;

/// <summary>A packet queued for one next hop, with the time it was queued (to drop it when the peer stays down).</summary>
internal readonly record struct OutboundItem(byte[] Buffer, int Length, long QueuedTimestamp);
