using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mixnode.Links.Wire;

namespace Mixnode.Node.Tests.Wire;

/// <summary>Round trips of random commands, and random input that must never throw or escape the message.</summary>
public sealed class WireCodecProperties
{
    private static readonly WireDecodeResult[] Results = Enum.GetValues<WireDecodeResult>();

    [Property(MaxTest = 500)]
    public bool Every_command_round_trips_unpadded_and_padded(byte which, byte hint, uint sequence, ulong epoch, byte error, byte[] payload, Guid surb, byte extra)
    {
        payload ??= [];
        byte[] surbId = surb.ToByteArray();
        WireCommand command = (which % 9) switch
        {
            0 => WireCommand.NoOp(),
            1 => WireCommand.Disconnect(),
            2 => WireCommand.SendPacket(payload),
            3 => WireCommand.RetrieveMessage(sequence),
            4 => WireCommand.Message(hint, sequence, payload),
            5 => WireCommand.MessageAck(hint, sequence, surbId, payload),
            6 => WireCommand.MessageEmpty(sequence),
            7 => WireCommand.GetConsensus(epoch),
            _ => WireCommand.Consensus(error, payload),
        };

        long length = WireCodec.EncodedLength(command);
        byte[] buffer = new byte[length + extra];
        Random.Shared.NextBytes(buffer);
        if (WireCodec.TryEncode(command, buffer, out int written) != WireEncodeResult.Ok || written != length
            || WireCodec.TryDecode(buffer.AsSpan(0, written), out WireCommand back) != WireDecodeResult.Ok || !back.ContentEquals(command))
        {
            return false;
        }

        int size = (int)length + extra;
        return WireCodec.TryEncode(command, buffer, size) == WireEncodeResult.Ok
            && WireCodec.TryDecode(buffer, out WireCommand padded) == WireDecodeResult.Ok
            && padded.ContentEquals(command);
    }

    [Property(MaxTest = 3000)]
    public Property Decoding_random_bytes_never_throws_and_stays_inside_the_message() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => DecodesInside(bytes ?? []));

    /// <summary>Random bodies behind plausible headers, so the body decoders are reached, not just the header checks.</summary>
    [Property(MaxTest = 3000)]
    public bool Decoding_random_bodies_behind_valid_headers_never_throws(byte idChoice, byte kind, byte[] body, byte slack, bool zeroPadding)
    {
        body ??= [];
        byte[] ids = [0, 1, 2, 16, 17, 18, 19];
        byte[] message = new byte[6 + body.Length + (slack % 8)];
        message[0] = ids[idChoice % ids.Length];
        int declared = Math.Max(0, body.Length - (zeroPadding ? 0 : slack % 3));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(2), (uint)declared);
        body.CopyTo(message, 6);
        if (message[0] == 17 && body.Length > 0)
        {
            message[6] = (byte)(kind % 4);
        }

        return DecodesInside(message);
    }

    private static bool DecodesInside(byte[] bytes)
    {
        // The message sits between guard bytes; any decoded span must lie within it.
        byte[] framed = new byte[bytes.Length + 64];
        framed.AsSpan().Fill(0xa5);
        bytes.CopyTo(framed, 32);
        ReadOnlySpan<byte> message = framed.AsSpan(32, bytes.Length);
        WireDecodeResult result = WireCodec.TryDecode(message, out WireCommand command);
        if (Array.IndexOf(Results, result) < 0)
        {
            return false;
        }

        if (result != WireDecodeResult.Ok)
        {
            return command.Payload.IsEmpty && command.SurbId.IsEmpty;
        }

        return Inside(message, command.Payload) && Inside(message, command.SurbId);
    }

    private static bool Inside(ReadOnlySpan<byte> message, ReadOnlySpan<byte> part) =>
        part.IsEmpty || (message.Overlaps(part, out int offset) && offset >= 0 && offset + part.Length <= message.Length);
}
