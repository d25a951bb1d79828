using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Mixnode.Links;
using Mixnode.Noise;

namespace Mixnode.Fuzz;

/// <summary>
/// What a link reads before it has keys: the 2-byte big-endian length prefix of each Noise handshake message
/// (<c>LinkSession.TryTakeHandshakeMessage</c>, private: reached with an <see cref="UnsafeAccessorAttribute"/>, so the
/// code fed is the link's own), then the XX handshake those messages carry, as the session runs it.
/// Input: byte 0: bit 7 set, this side is the initiator (writes message 1, reads message 2 from the stream, writes
/// message 3), else the responder (reads message 1, writes 2, reads 3); the low bits and byte 1 choose how the stream is
/// cut into pipe segments and into arrivals. Then the bytes the peer sent.
/// The reader promises 1..256 (a message, copied, the buffer moved past it), 0 (need more, buffer untouched) or -1
/// (a length of 0 or over 256, buffer untouched), never an exception; taking messages as the bytes arrive piece by
/// piece must give the same messages as taking them from all the bytes at once. The handshake reports bad messages
/// as a <see cref="NoiseResult"/>; a handshake that completes must know the peer's static key.
/// </summary>
internal sealed class HandshakeReaderTarget : IFuzzTarget
{
    public const int InitiatorMode = 0x80;

    public string Name => "handshake";

    public void Run(ReadOnlySpan<byte> input) => Process(input);

    /// <summary>For the seed check: null when the input's messages complete the handshake.</summary>
    public static string? Check(byte[] seed) => Process(seed) ? null : "the handshake does not complete";

    private static bool Process(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return false;
        }

        byte[] stream = input[2..].ToArray();
        byte[] cuts = [(byte)(input[0] & 0x7f), input[1]];
        List<byte[]> whole = TakeAll(SegmentedSequence.Make(stream, cuts), out int wholeEnd);
        List<byte[]> arriving = TakeArriving(stream, cuts, out int arrivingEnd);
        if (whole.Count != arriving.Count || wholeEnd != arrivingEnd || !whole.Zip(arriving).All(p => p.First.AsSpan().SequenceEqual(p.Second)))
        {
            throw new InvariantViolatedException($"taking messages from all {stream.Length} bytes gave {whole.Count} (end {wholeEnd}), taking them as they arrive gave {arriving.Count} (end {arrivingEnd})");
        }

        return Handshake(whole, initiator: (input[0] & InitiatorMode) != 0);
    }

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "TryTakeHandshakeMessage")]
    private static extern int TryTake(LinkSession? session, ref ReadOnlySequence<byte> buffer, byte[] destination);

    /// <summary>The messages in <paramref name="all"/> until the reader asks for more or refuses; <paramref name="end"/>: the bytes consumed, or -1 after a refusal.</summary>
    private static List<byte[]> TakeAll(ReadOnlySequence<byte> all, out int end)
    {
        var messages = new List<byte[]>();
        ReadOnlySequence<byte> buffer = all;
        while (true)
        {
            int taken = TakeChecked(ref buffer, out byte[]? message);
            if (taken <= 0)
            {
                end = taken < 0 ? -1 : (int)(all.Length - buffer.Length);
                return messages;
            }

            messages.Add(message!);
        }
    }

    /// <summary>As the link reads: the bytes arrive in pieces (lengths from <paramref name="cuts"/>, reversed), each read sees what has arrived and is not yet consumed.</summary>
    private static List<byte[]> TakeArriving(byte[] stream, byte[] cuts, out int end)
    {
        var messages = new List<byte[]>();
        int consumed = 0;
        int arrived = 0;
        for (int piece = 0; ; piece++)
        {
            int step = 1 + cuts[(piece + 1) % cuts.Length];
            arrived = Math.Min(stream.Length, arrived + step);
            while (true)
            {
                ReadOnlySequence<byte> buffer = SegmentedSequence.Make(stream.AsMemory(consumed, arrived - consumed), cuts);
                long before = buffer.Length;
                int taken = TakeChecked(ref buffer, out byte[]? message);
                if (taken < 0)
                {
                    end = -1;
                    return messages;
                }

                if (taken == 0)
                {
                    break;
                }

                messages.Add(message!);
                consumed += (int)(before - buffer.Length);
            }

            if (arrived == stream.Length)
            {
                end = consumed;
                return messages;
            }
        }
    }

    /// <summary>One call of the reader, checked against what it promises.</summary>
    private static int TakeChecked(ref ReadOnlySequence<byte> buffer, out byte[]? message)
    {
        ReadOnlySequence<byte> before = buffer;
        byte[] flat = before.ToArray();
        byte[] destination = new byte[LinkProtocol.MaxHandshakeMessage];
        int taken = TryTake(null, ref buffer, destination);
        int prefix = flat.Length >= LinkProtocol.HandshakeLengthPrefix ? BinaryPrimitives.ReadUInt16BigEndian(flat) : -1;
        message = null;
        if (taken > 0)
        {
            bool right = taken == prefix && taken <= destination.Length
                && flat.Length >= LinkProtocol.HandshakeLengthPrefix + taken
                && destination.AsSpan(0, taken).SequenceEqual(flat.AsSpan(LinkProtocol.HandshakeLengthPrefix, taken))
                && buffer.Length == before.Length - LinkProtocol.HandshakeLengthPrefix - taken
                && buffer.Start.Equals(before.GetPosition(LinkProtocol.HandshakeLengthPrefix + taken));
            if (!right)
            {
                throw new InvariantViolatedException($"the reader took {taken} bytes from {flat.Length} with prefix {prefix}, leaving {buffer.Length}");
            }

            message = destination[..taken];
            return taken;
        }

        if (!buffer.Start.Equals(before.Start) || buffer.Length != before.Length)
        {
            throw new InvariantViolatedException($"the reader answered {taken} but moved the buffer");
        }

        bool expected = taken switch
        {
            0 => prefix < 0 || (prefix > 0 && prefix <= LinkProtocol.MaxHandshakeMessage && flat.Length < LinkProtocol.HandshakeLengthPrefix + prefix),
            -1 => prefix == 0 || prefix > LinkProtocol.MaxHandshakeMessage,
            _ => false,
        };
        if (!expected)
        {
            throw new InvariantViolatedException($"the reader answered {taken} for {flat.Length} bytes with prefix {prefix}");
        }

        return taken;
    }

    /// <summary>The handshake as <c>LinkSession.HandshakeAsync</c> runs it on the messages read (fixed ephemerals, so seeds stay valid).</summary>
    private static bool Handshake(List<byte[]> messages, bool initiator)
    {
        using HandshakeState state = initiator ? NoiseHandshakeTarget.Initiator() : NoiseHandshakeTarget.Responder();
        byte[] written = new byte[LinkProtocol.MaxHandshakeMessage];
        int next = 0;
        while (!state.IsHandshakeComplete)
        {
            if (state.IsMyTurn)
            {
                NoiseResult write = state.WriteMessage(default, written, out _);
                if (write == NoiseResult.InvalidPublicKey)
                {
                    // The documented refusal of a low-order key the peer sent, met by our next Diffie-Hellman.
                    return false;
                }

                if (write != NoiseResult.Ok)
                {
                    throw new InvariantViolatedException($"writing a handshake message after the peer's read fine: {write}");
                }

                continue;
            }

            if (next == messages.Count || state.ReadMessage(messages[next++], [], out _) != NoiseResult.Ok)
            {
                return false;
            }
        }

        if (state.RemoteStaticPublicKey.Length != 32)
        {
            throw new InvariantViolatedException("a completed handshake without the peer's static key");
        }

        using NoiseTransport transport = state.Split();
        return true;
    }
}
