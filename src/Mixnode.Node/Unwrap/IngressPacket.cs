namespace Mixnode.Node.Unwrap;

/// <summary>A packet just taken off a link, waiting for a crypto worker. The buffer is pooled.</summary>
internal readonly struct IngressPacket
{
    public IngressPacket(byte[] buffer, int length, long receivedTimestamp, Links.LinkSession? clientOrigin = null)
    {
        Buffer = buffer;
        Length = length;
        ReceivedTimestamp = receivedTimestamp;
        ClientOrigin = clientOrigin;
    }

    /// <summary>The client link it came from (providers only): a client that sends packets that do not unwrap is cut off.</summary>
    public Links.LinkSession? ClientOrigin { get; }

    public byte[] Buffer { get; }

    public int Length { get; }

    public long ReceivedTimestamp { get; }
}
