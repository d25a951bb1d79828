using System.Buffers.Binary;

namespace Mixnode.Links.Wire;

/// <summary>
/// Katzenpost link-command framing: <c>id(1) ‖ reserved(1)=0 ‖ length(4, big-endian) ‖ body ‖ zero padding</c>.
/// Encodes into and decodes from caller spans without allocating; decoded spans are slices of the input.
/// Never throws on any input: every fault is a <see cref="WireDecodeResult"/>. Layouts: <c>docs/wire.md</c>.
/// </summary>
internal static class WireCodec
{
    public const int HeaderLength = WireFraming.HeaderLength;
    public const int RetrieveMessageBodyLength = 4;
    public const int GetConsensusBodyLength = 8;
    public const int SurbIdLength = 16;

    /// <summary>
    /// sequence(4) ‖ kind(1) ‖ hint(1): the start of every Message body. The vectors pin the sequence as the
    /// first field, followed by zeros; kind and hint sit in those zeros (see docs/wire.md on what is a guess).
    /// </summary>
    public const int MessageBaseLength = 6;

    /// <summary>Zero bytes between a Message's sequence and its payload (as in Katzenpost's vectors).</summary>
    public const int MessageReservedLength = 14;

    private const int KindOffset = 4;
    private const int HintOffset = 5;

    public const int MessagePrefixLength = MessageBaseLength + MessageReservedLength;
    public const int AckPrefixLength = MessageBaseLength + SurbIdLength;
    public const int EmptyBodyLength = MessageBaseLength;
    public const int ConsensusPrefixLength = 1;

    /// <summary>Header plus body, unpadded; -1 for a command that cannot be encoded.</summary>
    public static long EncodedLength(scoped in WireCommand command) => BodyLength(command) is var body && body < 0 ? -1 : HeaderLength + body;

    /// <summary>Writes the command unpadded (header and body only), as in Katzenpost's vectors.</summary>
    public static WireEncodeResult TryEncode(scoped in WireCommand command, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        long body = BodyLength(command);
        if (body < 0)
        {
            return WireEncodeResult.InvalidCommand;
        }

        if (HeaderLength + body > destination.Length)
        {
            return WireEncodeResult.DestinationTooSmall;
        }

        WriteUnchecked(command, destination, (int)body);
        bytesWritten = HeaderLength + (int)body;
        return WireEncodeResult.Ok;
    }

    /// <summary>
    /// Writes the command and zero-fills up to <paramref name="commandSize"/> (the link's
    /// <see cref="WireFraming.CommandSize"/>); on Ok exactly <paramref name="commandSize"/> bytes were written.
    /// </summary>
    public static WireEncodeResult TryEncode(scoped in WireCommand command, Span<byte> destination, int commandSize)
    {
        long body = BodyLength(command);
        if (body < 0 || commandSize < HeaderLength)
        {
            return WireEncodeResult.InvalidCommand;
        }

        if (HeaderLength + body > commandSize)
        {
            return WireEncodeResult.ExceedsCommandSize;
        }

        if (destination.Length < commandSize)
        {
            return WireEncodeResult.DestinationTooSmall;
        }

        WriteUnchecked(command, destination, (int)body);
        destination[(HeaderLength + (int)body)..commandSize].Clear();
        return WireEncodeResult.Ok;
    }

    /// <summary>Writes against a framing: the command size is the link's.</summary>
    public static WireEncodeResult TryEncode(scoped in WireCommand command, Span<byte> destination, WireFraming framing)
    {
        ArgumentNullException.ThrowIfNull(framing);
        return TryEncode(command, destination, framing.CommandSize);
    }

    /// <summary>
    /// Decodes one message: header, body and (optional) zero padding after the body. Payload lengths are
    /// not checked against any geometry here; use the <see cref="WireFraming"/> overload on a link.
    /// </summary>
    public static WireDecodeResult TryDecode(ReadOnlySpan<byte> message, out WireCommand command)
    {
        command = default;
        if (message.Length < HeaderLength)
        {
            return WireDecodeResult.Truncated;
        }

        var id = (WireCommandId)message[0];
        if (!IsKnown(id))
        {
            return WireDecodeResult.UnknownCommand;
        }

        if (message[1] != 0)
        {
            return WireDecodeResult.NonZeroReserved;
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(message[2..]);
        ReadOnlySpan<byte> rest = message[HeaderLength..];
        if (length > (uint)rest.Length)
        {
            return WireDecodeResult.LengthExceedsMessage;
        }

        if (rest[(int)length..].ContainsAnyExcept((byte)0))
        {
            return WireDecodeResult.NonZeroPadding;
        }

        return DecodeBody(id, rest[..(int)length], out command);
    }

    /// <summary>
    /// Decodes a message received on a link: it must be exactly <see cref="WireFraming.CommandSize"/> bytes, and
    /// SendPacket, Message and ACK payloads must be exactly the link's lengths.
    /// </summary>
    public static WireDecodeResult TryDecode(ReadOnlySpan<byte> message, WireFraming framing, out WireCommand command)
    {
        ArgumentNullException.ThrowIfNull(framing);
        command = default;
        if (message.Length != framing.CommandSize)
        {
            return message.Length < HeaderLength ? WireDecodeResult.Truncated : WireDecodeResult.WrongMessageSize;
        }

        WireDecodeResult result = TryDecode(message, out WireCommand decoded);
        if (result != WireDecodeResult.Ok)
        {
            return result;
        }

        int expected = decoded.Id switch
        {
            WireCommandId.SendPacket => framing.PacketLength,
            WireCommandId.Message when decoded.MessageKind == WireMessageKind.Message => framing.MessagePayloadLength,
            WireCommandId.Message when decoded.MessageKind == WireMessageKind.Ack => framing.AckPayloadLength,
            _ => decoded.Payload.Length,
        };
        if (decoded.Payload.Length != expected)
        {
            return WireDecodeResult.InvalidBodyLength;
        }

        command = decoded;
        return WireDecodeResult.Ok;
    }

    private static bool IsKnown(WireCommandId id) => id is WireCommandId.NoOp or WireCommandId.Disconnect or WireCommandId.SendPacket
        or WireCommandId.RetrieveMessage or WireCommandId.Message or WireCommandId.GetConsensus or WireCommandId.Consensus;

    /// <summary>The body length of an encodable command, or -1 (unknown id or kind, SURB id not 16 bytes, too long).</summary>
    private static long BodyLength(scoped in WireCommand command)
    {
        long length = command.Id switch
        {
            WireCommandId.NoOp or WireCommandId.Disconnect => 0,
            WireCommandId.SendPacket => command.Payload.Length,
            WireCommandId.RetrieveMessage => RetrieveMessageBodyLength,
            WireCommandId.GetConsensus => GetConsensusBodyLength,
            WireCommandId.Consensus => ConsensusPrefixLength + (long)command.Payload.Length,
            WireCommandId.Message => command.MessageKind switch
            {
                WireMessageKind.Message => MessagePrefixLength + (long)command.Payload.Length,
                WireMessageKind.Ack when command.SurbId.Length == SurbIdLength => AckPrefixLength + (long)command.Payload.Length,
                WireMessageKind.Empty => EmptyBodyLength,
                _ => -1,
            },
            _ => -1,
        };

        // A message must be addressable by an int-indexed span.
        return length > int.MaxValue - HeaderLength ? -1 : length;
    }

    private static void WriteUnchecked(scoped in WireCommand command, Span<byte> destination, int bodyLength)
    {
        destination[0] = (byte)command.Id;
        destination[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[2..], (uint)bodyLength);
        Span<byte> body = destination.Slice(HeaderLength, bodyLength);
        switch (command.Id)
        {
            case WireCommandId.SendPacket:
                command.Payload.CopyTo(body);
                break;
            case WireCommandId.RetrieveMessage:
                BinaryPrimitives.WriteUInt32BigEndian(body, command.Sequence);
                break;
            case WireCommandId.GetConsensus:
                BinaryPrimitives.WriteUInt64BigEndian(body, command.Epoch);
                break;
            case WireCommandId.Consensus:
                body[0] = command.ErrorCode;
                command.Payload.CopyTo(body[ConsensusPrefixLength..]);
                break;
            case WireCommandId.Message:
                BinaryPrimitives.WriteUInt32BigEndian(body, command.Sequence);
                body[KindOffset] = (byte)command.MessageKind;
                body[HintOffset] = command.MessageKind == WireMessageKind.Empty ? (byte)0 : command.QueueSizeHint;
                if (command.MessageKind == WireMessageKind.Message)
                {
                    body.Slice(MessageBaseLength, MessageReservedLength).Clear();
                    command.Payload.CopyTo(body[MessagePrefixLength..]);
                }
                else if (command.MessageKind == WireMessageKind.Ack)
                {
                    command.SurbId.CopyTo(body[MessageBaseLength..]);
                    command.Payload.CopyTo(body[AckPrefixLength..]);
                }

                break;
            default:
                break;
        }
    }

    private static WireDecodeResult DecodeBody(WireCommandId id, ReadOnlySpan<byte> body, out WireCommand command)
    {
        command = default;
        switch (id)
        {
            case WireCommandId.NoOp:
            case WireCommandId.Disconnect:
                if (!body.IsEmpty)
                {
                    return WireDecodeResult.InvalidBodyLength;
                }

                command = new WireCommand { Id = id };
                return WireDecodeResult.Ok;
            case WireCommandId.SendPacket:
                command = WireCommand.SendPacket(body);
                return WireDecodeResult.Ok;
            case WireCommandId.RetrieveMessage:
                if (body.Length != RetrieveMessageBodyLength)
                {
                    return WireDecodeResult.InvalidBodyLength;
                }

                command = WireCommand.RetrieveMessage(BinaryPrimitives.ReadUInt32BigEndian(body));
                return WireDecodeResult.Ok;
            case WireCommandId.GetConsensus:
                if (body.Length != GetConsensusBodyLength)
                {
                    return WireDecodeResult.InvalidBodyLength;
                }

                command = WireCommand.GetConsensus(BinaryPrimitives.ReadUInt64BigEndian(body));
                return WireDecodeResult.Ok;
            case WireCommandId.Consensus:
                if (body.Length < ConsensusPrefixLength)
                {
                    return WireDecodeResult.InvalidBodyLength;
                }

                command = WireCommand.Consensus(body[0], body[ConsensusPrefixLength..]);
                return WireDecodeResult.Ok;
            default:
                return DecodeMessage(body, out command);
        }
    }

    private static WireDecodeResult DecodeMessage(ReadOnlySpan<byte> body, out WireCommand command)
    {
        command = default;
        if (body.Length < MessageBaseLength)
        {
            return WireDecodeResult.InvalidBodyLength;
        }

        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(body);
        var kind = (WireMessageKind)body[KindOffset];
        byte hint = body[HintOffset];
        switch (kind)
        {
            case WireMessageKind.Message:
                if (body.Length < MessagePrefixLength)
                {
                    return WireDecodeResult.InvalidBodyLength;
                }

                if (body.Slice(MessageBaseLength, MessageReservedLength).ContainsAnyExcept((byte)0))
                {
                    return WireDecodeResult.NonZeroReserved;
                }

                command = WireCommand.Message(hint, sequence, body[MessagePrefixLength..]);
                return WireDecodeResult.Ok;
            case WireMessageKind.Ack:
                if (body.Length < AckPrefixLength)
                {
                    return WireDecodeResult.InvalidBodyLength;
                }

                command = WireCommand.MessageAck(hint, sequence, body.Slice(MessageBaseLength, SurbIdLength), body[AckPrefixLength..]);
                return WireDecodeResult.Ok;
            case WireMessageKind.Empty:
                // Katzenpost never writes the hint of an empty reply, and older versions pad the body to an ACK's
                // length; both are accepted as long as they are zero, since nothing else could be meant.
                if (hint != 0 || body[MessageBaseLength..].ContainsAnyExcept((byte)0))
                {
                    return WireDecodeResult.NonZeroReserved;
                }

                command = WireCommand.MessageEmpty(sequence);
                return WireDecodeResult.Ok;
            default:
                return WireDecodeResult.UnknownMessageKind;
        }
    }
}
