using Mixnode.Sphinx;

namespace Mixnode.Node.Forwarding;

/// <summary>An unwrapped packet waiting for its send time: the buffer holds the next hop's packet.</summary>
internal readonly struct OutgoingPacket
{
    public OutgoingPacket(byte[] buffer, Bytes32 nextNodeId, long receivedTimestamp, long dueTimestamp)
    {
        Buffer = buffer;
        NextNodeId = nextNodeId;
        ReceivedTimestamp = receivedTimestamp;
        DueTimestamp = dueTimestamp;
    }

    public byte[] Buffer { get; }

    public Bytes32 NextNodeId { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the packet came off its link.</summary>
    public long ReceivedTimestamp { get; }

    public long DueTimestamp { get; }
}
