using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Sphinx.Tests.Packets;

public sealed class RoutingCommandCodecTests
{
    private const int Block = SphinxGeometry.PerHopRoutingInfoLength;

    [Fact]
    public void Katzenpost_command_vectors_encode_and_parse()
    {
        using JsonDocument doc = JsonDocument.Parse(VectorFiles.Read("sphinx/sphinx_commands_vectors.json"));
        JsonElement v = doc.RootElement;
        Check(default(RoutingCommands).WithNextNodeHop(Hex(v, "NextHopID"), Hex(v, "NextHopMAC")), Hex(v, "NextHopCmdWant"));
        Check(RoutingCommands.ToRecipient(Hex(v, "RecipientID")), Hex(v, "RecipientCmdWant"));
        Check(default(RoutingCommands).WithSurbReply(Hex(v, "SURBReplyID")), Hex(v, "SURBReplyCmdWant"));
        Check(RoutingCommands.Delay(v.GetProperty("NodeDelay").GetUInt32()), Hex(v, "NodeDelayCmdWant"));

        static void Check(RoutingCommands command, byte[] want)
        {
            byte[] encoded = new byte[command.EncodedLength];
            Assert.True(RoutingCommandCodec.TryEncode(command, encoded));
            Assert.Equal(want, encoded);
            Assert.Equal(CommandParseResult.Ok, RoutingCommandCodec.TryParse(want, out RoutingCommands back));
            Assert.Equal(command, back);
        }
    }

    [Fact]
    public void An_all_zero_block_holds_no_commands()
    {
        Assert.Equal(CommandParseResult.Ok, RoutingCommandCodec.TryParse(new byte[Block], out RoutingCommands commands));
        Assert.Equal(default, commands);
        Assert.Equal(CommandParseResult.Ok, RoutingCommandCodec.TryParse([], out _));
    }

    [Theory]
    [InlineData(0x04)]
    [InlineData(0x7f)]
    [InlineData(0x81)]
    [InlineData(0xff)]
    public void Unknown_tag_is_refused(byte tag)
    {
        byte[] block = new byte[Block];
        block[0] = tag;
        Assert.Equal(CommandParseResult.UnknownCommand, RoutingCommandCodec.TryParse(block, out _));
    }

    [Theory]
    [InlineData((byte)RoutingCommandTag.NextNodeHop, 65)]
    [InlineData((byte)RoutingCommandTag.Recipient, 33)]
    [InlineData((byte)RoutingCommandTag.SurbReply, 17)]
    [InlineData((byte)RoutingCommandTag.NodeDelay, 5)]
    public void Command_running_past_the_block_is_truncated(byte tag, int length)
    {
        for (int cut = 1; cut < length; cut++)
        {
            byte[] block = new byte[cut];
            block[0] = tag;
            Assert.Equal(CommandParseResult.Truncated, RoutingCommandCodec.TryParse(block, out _));
        }

        byte[] exact = new byte[length];
        exact[0] = tag;
        Assert.Equal(CommandParseResult.Ok, RoutingCommandCodec.TryParse(exact, out _));
    }

    [Fact]
    public void Non_zero_byte_after_the_null_command_is_refused()
    {
        byte[] block = new byte[Block];
        block[Block - 1] = 1;
        Assert.Equal(CommandParseResult.NonZeroPadding, RoutingCommandCodec.TryParse(block, out _));
    }

    [Theory]
    [InlineData((byte)RoutingCommandTag.NextNodeHop, 65)]
    [InlineData((byte)RoutingCommandTag.Recipient, 33)]
    [InlineData((byte)RoutingCommandTag.SurbReply, 17)]
    [InlineData((byte)RoutingCommandTag.NodeDelay, 5)]
    public void Second_command_of_a_kind_is_refused(byte tag, int length)
    {
        byte[] block = new byte[Math.Max(Block, 2 * length)];
        block[0] = tag;
        block[length] = tag;
        Assert.Equal(CommandParseResult.DuplicateCommand, RoutingCommandCodec.TryParse(block, out _));
    }

    [Fact]
    public void Encoding_that_does_not_fit_fails() =>
        Assert.False(RoutingCommandCodec.TryEncode(RoutingCommands.ToRecipient(new byte[32]).WithNextNodeHop(new byte[32], new byte[32]), new byte[Block]));

    [Property(MaxTest = 300)]
    public bool Any_command_set_round_trips(bool delay, uint ms, bool recipient, bool surb, bool next, byte fill)
    {
        byte[] id = Enumerable.Repeat(fill, 32).ToArray();
        RoutingCommands commands = default;
        if (delay)
        {
            commands = commands.WithNodeDelay(ms);
        }

        if (recipient)
        {
            commands = commands.WithRecipient(id);
        }

        if (surb)
        {
            commands = commands.WithSurbReply(id.AsSpan(0, 16));
        }

        if (next)
        {
            commands = commands.WithNextNodeHop(id, id.Reverse().ToArray());
        }

        byte[] block = new byte[Math.Max(Block, commands.EncodedLength)];
        return RoutingCommandCodec.TryEncode(commands, block)
            && RoutingCommandCodec.TryParse(block, out RoutingCommands back) == CommandParseResult.Ok
            && back == commands;
    }

    [Property(MaxTest = 2000)]
    public Property Parsing_any_bytes_returns_a_result_and_never_throws() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            CommandParseResult result = RoutingCommandCodec.TryParse(bytes, out _);
            return Enum.IsDefined(result);
        });

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);
}
