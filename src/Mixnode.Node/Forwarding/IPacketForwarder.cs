namespace Mixnode.Node.Forwarding;

/// <summary>Takes packets whose time has come toward their next hop. Must not block.</summary>
internal interface IPacketForwarder
{
    /// <summary>Queues the packet for its next hop; owns the buffer from then on (returns or sends it).</summary>
    void Forward(in OutgoingPacket packet);
}
