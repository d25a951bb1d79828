using Mixnode.Sphinx;

namespace Mixnode.Fuzz;

/// <summary>
/// Differential: <see cref="SphinxUnwrapper.UnwrapBatch"/> (one eight-lane X25519 for the agreements and another for
/// the re-blindings, when the CPU has it) against <see cref="SphinxUnwrapper.Unwrap"/> one packet at a time, on copies
/// of the same packets. The batch documents that results[i], unwrapped[i] and the buffer of packet i end exactly as
/// the single unwrap leaves them; any difference, like any exception, is a crash.
/// Input: byte 0, low three bits: packets in the batch minus one (1..8); byte 1: bit i recomputes packet i's header
/// MAC (as <see cref="SphinxUnwrapTarget"/> mode bit 0 does, so mutations get past HMAC); then the packets, 611 bytes
/// each on the vectors geometry. When the input is short, packet i is the body read cyclically from offset i * 611 (so
/// short inputs still fill every lane, and repeated packets, which share an alpha, occur). Byte 0 bit 3: the last
/// packet keeps the body's leftover length instead (a wrong-length packet among good ones).
/// </summary>
internal sealed class BatchUnwrapTarget : IFuzzTarget
{
    public const int OddLastLength = 8;

    public string Name => "batch";

    private static SphinxGeometry Geometry => SphinxUnwrapTarget.Geometry;

    /// <summary>For the seed check: null when at least one packet of the batch unwraps.</summary>
    public static string? Check(byte[] seed)
    {
        var batch = new BatchUnwrapTarget();
        batch.Run(seed);
        int count = (seed[0] & 7) + 1;
        for (int i = 0; i < count; i++)
        {
            byte[] packet = Packet(seed.AsSpan(2), i, count, (seed[0] & OddLastLength) != 0);
            if ((seed[1] & (1 << i)) != 0)
            {
                SphinxUnwrapTarget.FixHeaderMac(packet);
            }

            if (SphinxUnwrapper.Unwrap(Geometry, FuzzKeys.MixKey, packet, out _) == UnwrapResult.Success)
            {
                return null;
            }
        }

        return "no packet of the batch unwraps";
    }

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
        {
            return;
        }

        int count = (input[0] & 7) + 1;
        int fixMacs = input[1];
        ReadOnlySpan<byte> body = input[2..];
        byte[][] single = new byte[count][];
        var batch = new Memory<byte>[count];
        for (int i = 0; i < count; i++)
        {
            single[i] = Packet(body, i, count, (input[0] & OddLastLength) != 0);
            if ((fixMacs & (1 << i)) != 0)
            {
                SphinxUnwrapTarget.FixHeaderMac(single[i]);
            }

            batch[i] = single[i].ToArray();
        }

        var results = new UnwrapResult[count];
        var unwrapped = new UnwrappedPacket[count];
        SphinxUnwrapper.UnwrapBatch(Geometry, FuzzKeys.MixKey, batch, results, unwrapped);
        for (int i = 0; i < count; i++)
        {
            UnwrapResult expected = SphinxUnwrapper.Unwrap(Geometry, FuzzKeys.MixKey, single[i], out UnwrappedPacket one);
            if (results[i] != expected)
            {
                throw new InvariantViolatedException($"packet {i} of {count}: the batch says {results[i]}, the single unwrap {expected}");
            }

            if (!Same(unwrapped[i], one))
            {
                throw new InvariantViolatedException($"packet {i} of {count} ({expected}): the batch's unwrapped packet differs from the single unwrap's ({unwrapped[i].Kind}/{one.Kind}, payload {unwrapped[i].PayloadOffset}+{unwrapped[i].PayloadLength} vs {one.PayloadOffset}+{one.PayloadLength})");
            }

            if (!batch[i].Span.SequenceEqual(single[i]))
            {
                throw new InvariantViolatedException($"packet {i} of {count} ({expected}): the batch left other bytes in the packet than the single unwrap");
            }
        }
    }

    /// <summary>Packet <paramref name="index"/> as the target's documentation describes.</summary>
    public static byte[] Packet(ReadOnlySpan<byte> body, int index, int count, bool oddLast)
    {
        int length = Geometry.PacketLength;
        if (oddLast && index == count - 1)
        {
            int start = Math.Min(body.Length, index * length);
            return body[start..].ToArray();
        }

        byte[] packet = new byte[length];
        if (body.IsEmpty)
        {
            return packet;
        }

        for (int j = 0; j < length; j++)
        {
            packet[j] = body[((index * length) + j) % body.Length];
        }

        return packet;
    }

    private static bool Same(in UnwrappedPacket a, in UnwrappedPacket b) =>
        a.Kind == b.Kind && a.Commands == b.Commands && a.ReplayTag == b.ReplayTag
        && a.PayloadOffset == b.PayloadOffset && a.PayloadLength == b.PayloadLength;
}
