namespace Mixnode.Node.Processing;

/// <summary>A packet just taken off a link, waiting for a crypto worker. The buffer is pooled.</summary>
internal readonly struct IngressPacket
{
    public IngressPacket(byte[] buffer, int length, long receivedTimestamp)
    {
        Buffer = buffer;
        Length = length;
        ReceivedTimestamp = receivedTimestamp;
    }

    public byte[] Buffer { get; }

    public int Length { get; }

    public long ReceivedTimestamp { get; }
}
