using Mixnode.Links.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Wire;

/// <summary>Every way a message can be malformed gives its own result, and nothing is decoded.</summary>
public sealed class WireCodecMalformedTests
{
    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("0000000000")]
    public void Fewer_than_six_bytes_is_truncated(string hex) =>
        Assert.Equal(WireDecodeResult.Truncated, Decode(hex));

    [Theory]
    [InlineData("030000000000")]
    [InlineData("0f0000000000")]
    [InlineData("140000000000")]
    [InlineData("ff0000000000")]
    public void An_unknown_command_id_is_refused(string hex) =>
        Assert.Equal(WireDecodeResult.UnknownCommand, Decode(hex));

    [Theory]
    [InlineData("000100000000")]
    [InlineData("0280000000010000")]
    public void A_non_zero_reserved_byte_is_refused(string hex) =>
        Assert.Equal(WireDecodeResult.NonZeroReserved, Decode(hex));

    [Theory]
    [InlineData("000000000001")]
    [InlineData("0200000000ff00")]
    [InlineData("020000000005aabbccdd")]
    [InlineData("02007fffffff")]
    [InlineData("0200ffffffff00000000")]
    public void A_length_past_the_end_of_the_message_is_refused(string hex) =>
        Assert.Equal(WireDecodeResult.LengthExceedsMessage, Decode(hex));

    [Theory]
    [InlineData("00000000000001")]
    [InlineData("0200000000012a0000000000000000000000000001")]
    [InlineData("10000000000400003039ff")]
    public void Non_zero_padding_after_the_body_is_refused(string hex) =>
        Assert.Equal(WireDecodeResult.NonZeroPadding, Decode(hex));

    [Theory]
    [InlineData("00000000000100")] // NoOp has no body
    [InlineData("01000000000200000000")] // Disconnect has no body
    [InlineData("100000000003000030")] // RetrieveMessage: 4-byte sequence
    [InlineData("10000000000500003039aa")]
    [InlineData("12000000000700000000000000")] // GetConsensus: 8-byte epoch
    [InlineData("130000000000")] // Consensus: at least the error code
    [InlineData("110000000005000000000000")] // Message: at least kind, hint, sequence
    [InlineData("110000000013000026940000000000000000000000000000000000")] // Message kind needs 20 bytes
    [InlineData("1100000000150000269401000000000000000000000000000000000000")] // ACK needs 22 bytes
    public void A_body_of_the_wrong_length_is_refused(string hex) =>
        Assert.Equal(WireDecodeResult.InvalidBodyLength, Decode(hex));

    [Theory]
    [InlineData("110000000006000000010300")]
    [InlineData("1100000000060000000f1f00")]
    public void An_unknown_message_kind_is_refused(string hex) =>
        Assert.Equal(WireDecodeResult.UnknownMessageKind, Decode(hex));

    [Theory]
    [InlineData("1100000000140000269400000000000000000000000000000001")] // Message reserved bytes
    [InlineData("110000000006000000010201")] // Empty with a hint
    [InlineData("11000000000700000001020001")] // Empty with trailing non-zero bytes
    public void Non_zero_reserved_fields_inside_the_body_are_refused(string hex) =>
        Assert.Equal(WireDecodeResult.NonZeroReserved, Decode(hex));

    [Fact]
    public void The_first_fault_in_header_order_is_reported()
    {
        // Unknown id, reserved byte set, length too large and padding non-zero all at once.
        Assert.Equal(WireDecodeResult.UnknownCommand, Decode("0701ffffffffff"));
        Assert.Equal(WireDecodeResult.NonZeroReserved, Decode("0201ffffffffff"));
        Assert.Equal(WireDecodeResult.LengthExceedsMessage, Decode("0200ffffffffff"));
    }

    [Fact]
    public void Against_a_framing_sizes_and_payload_lengths_must_match_the_link()
    {
        var framing = WireFraming.ForMixLink(SphinxGeometry.Default);
        byte[] message = new byte[framing.CommandSize];
        byte[] packet = new byte[framing.PacketLength];
        Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(WireCommand.SendPacket(packet), message, framing));
        Assert.Equal(WireDecodeResult.Ok, WireCodec.TryDecode(message, framing, out WireCommand decoded));
        Assert.Equal(packet.Length, decoded.Payload.Length);

        Assert.Equal(WireDecodeResult.WrongMessageSize, WireCodec.TryDecode(message.AsSpan(0, message.Length - 1), framing, out _));
        Assert.Equal(WireDecodeResult.WrongMessageSize, WireCodec.TryDecode(new byte[message.Length + 1], framing, out _));
        Assert.Equal(WireDecodeResult.Truncated, WireCodec.TryDecode([], framing, out _));

        Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(WireCommand.SendPacket(packet.AsSpan(1)), message, framing));
        Assert.Equal(WireDecodeResult.InvalidBodyLength, WireCodec.TryDecode(message, framing, out _));

        Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(WireCommand.NoOp(), message, framing));
        Assert.Equal(WireDecodeResult.Ok, WireCodec.TryDecode(message, framing, out decoded));
        Assert.Equal(WireCommandId.NoOp, decoded.Id);
    }

    [Fact]
    public void Encoding_refuses_what_does_not_fit_or_is_not_a_command()
    {
        byte[] big = new byte[100];
        Assert.Equal(WireEncodeResult.DestinationTooSmall, WireCodec.TryEncode(WireCommand.SendPacket(big), new byte[105], out int written));
        Assert.Equal(0, written);
        Assert.Equal(WireEncodeResult.ExceedsCommandSize, WireCodec.TryEncode(WireCommand.SendPacket(big), new byte[200], 105));
        Assert.Equal(WireEncodeResult.DestinationTooSmall, WireCodec.TryEncode(WireCommand.SendPacket(big), new byte[150], 200));
        Assert.Equal(WireEncodeResult.InvalidCommand, WireCodec.TryEncode(new WireCommand { Id = (WireCommandId)5 }, new byte[200], out _));
        Assert.Equal(WireEncodeResult.InvalidCommand, WireCodec.TryEncode(new WireCommand { Id = WireCommandId.Message, MessageKind = (WireMessageKind)9 }, new byte[200], out _));
        Assert.Equal(WireEncodeResult.InvalidCommand, WireCodec.TryEncode(WireCommand.MessageAck(0, 1, new byte[15], []), new byte[200], out _));
        Assert.Equal(-1, WireCodec.EncodedLength(new WireCommand { Id = (WireCommandId)5 }));
    }

    [Fact]
    public void The_mix_link_command_size_is_the_header_plus_a_packet()
    {
        var framing = WireFraming.ForMixLink(SphinxGeometry.Default);
        Assert.Equal(3082, framing.PacketLength);
        Assert.Equal(6 + 3082, framing.CommandSize);

        var provider = new WireFraming(3082, messagePayloadLength: 3100, ackPayloadLength: 10);
        Assert.Equal(6 + 20 + 3100, provider.CommandSize);
        Assert.Equal(provider.CommandSize - 7, provider.MaxConsensusPayloadLength);
        Assert.Equal(6 + 22, new WireFraming(0).CommandSize); // an ACK with an empty payload
    }

    private static WireDecodeResult Decode(string hex)
    {
        WireDecodeResult result = WireCodec.TryDecode(Convert.FromHexString(hex), out WireCommand command);
        if (result != WireDecodeResult.Ok)
        {
            Assert.Equal(default(WireCommandId), command.Id);
            Assert.True(command.Payload.IsEmpty);
        }

        return result;
    }
}
