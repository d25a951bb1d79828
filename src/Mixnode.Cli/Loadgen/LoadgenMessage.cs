using System.Buffers.Binary;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// What every loadgen message carries, at the start of the Sphinx message (the rest is zero padding): a magic, the
/// run id (so that messages of an earlier run still waiting in a mailbox are not counted), the sending client's
/// index, its sequence number, the send time it was scheduled for (Stopwatch ticks from the start of the timed
/// phase; packets are built before it, so the actual send time is kept by the sender, in the same process), the
/// sum of the NodeDelays chosen for its route and the index of the client it is for (so an arrival in the wrong
/// mailbox is seen). (sender, sequence) names the message: whichever client receives it, the one statistics of the
/// run match it to its send.
/// </summary>
internal readonly record struct LoadgenMessage(Guid RunId, int ClientIndex, int Sequence, long ScheduledTicks, long DelaySumMs, int RecipientIndex)
{
    public const int Length = 4 + 16 + 4 + 4 + 8 + 8 + 4;

    // "MXL2": the recipient index was added; a message of the older layout is foreign.
    private static ReadOnlySpan<byte> Magic => "MXL2"u8;

    public void WriteTo(Span<byte> destination)
    {
        Magic.CopyTo(destination);
        RunId.TryWriteBytes(destination[4..20]);
        BinaryPrimitives.WriteInt32BigEndian(destination[20..], ClientIndex);
        BinaryPrimitives.WriteInt32BigEndian(destination[24..], Sequence);
        BinaryPrimitives.WriteInt64BigEndian(destination[28..], ScheduledTicks);
        BinaryPrimitives.WriteInt64BigEndian(destination[36..], DelaySumMs);
        BinaryPrimitives.WriteInt32BigEndian(destination[44..], RecipientIndex);
    }

    public byte[] ToBytes()
    {
        byte[] bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>False for anything that is not a loadgen message (too short, another magic).</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out LoadgenMessage message)
    {
        message = default;
        if (source.Length < Length || !source.StartsWith(Magic))
        {
            return false;
        }

        message = new LoadgenMessage(
            new Guid(source[4..20]),
            BinaryPrimitives.ReadInt32BigEndian(source[20..]),
            BinaryPrimitives.ReadInt32BigEndian(source[24..]),
            BinaryPrimitives.ReadInt64BigEndian(source[28..]),
            BinaryPrimitives.ReadInt64BigEndian(source[36..]),
            BinaryPrimitives.ReadInt32BigEndian(source[44..]));
        return true;
    }
}
