using System.Buffers;

namespace Mixnode.Fuzz;

/// <summary>
/// Bytes as a <see cref="ReadOnlySequence{T}"/> of several segments, the shape a pipe hands a reader when data arrived
/// in pieces: a length prefix or message split across segments takes other paths through a SequenceReader.
/// </summary>
internal static class SegmentedSequence
{
    /// <summary>Cuts <paramref name="bytes"/> into segments whose lengths cycle through 1 + each byte of <paramref name="cuts"/> (one segment when it is empty).</summary>
    public static ReadOnlySequence<byte> Make(ReadOnlyMemory<byte> bytes, ReadOnlySpan<byte> cuts)
    {
        if (bytes.IsEmpty || cuts.IsEmpty)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        Segment? first = null;
        Segment? last = null;
        int offset = 0;
        for (int i = 0; offset < bytes.Length; i++)
        {
            int length = Math.Min(1 + cuts[i % cuts.Length], bytes.Length - offset);
            var segment = new Segment(bytes.Slice(offset, length), offset);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.SetNext(segment);
            }

            last = segment;
            offset += length;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
