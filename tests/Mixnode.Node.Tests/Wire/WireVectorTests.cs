using System.Text.Json;
using Mixnode.Links.Wire;

namespace Mixnode.Node.Tests.Wire;

/// <summary>Katzenpost's wire-command vectors: each command encodes to the published bytes and decodes back.</summary>
public sealed class WireVectorTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(VectorFiles.Read("wire/wire_commands_vectors.json")).RootElement.Clone();

    [Fact]
    public void NoOp() => Check("NoOp", WireCommand.NoOp());

    [Fact]
    public void Disconnect() => Check("Disconnect", WireCommand.Disconnect());

    [Fact]
    public void SendPacket() => Check("SendPacket", WireCommand.SendPacket(Hex("SendPacketPayload")));

    [Fact]
    public void RetrieveMessage() => Check("RetrieveMessage", WireCommand.RetrieveMessage(Vectors.GetProperty("RetrieveMessageSeq").GetUInt32()));

    [Fact]
    public void Message() => Check("Message", WireCommand.Message(0, Vectors.GetProperty("MessageSeq").GetUInt32(), Hex("MessagePayload")));

    [Fact]
    public void GetConsensus() => Check("GetConsensus", WireCommand.GetConsensus(Vectors.GetProperty("GetConsensusEpoch").GetUInt64()));

    [Fact]
    public void Consensus() => Check("Consensus", WireCommand.Consensus(Vectors.GetProperty("ConsensusErrorCode").GetByte(), Hex("ConsensusPayload")));

    [Fact]
    public void Every_vector_padded_to_a_fixed_size_decodes_to_the_same_command()
    {
        const int size = 2048;
        foreach (string name in new[] { "NoOp", "Disconnect", "SendPacket", "RetrieveMessage", "Message", "GetConsensus", "Consensus" })
        {
            byte[] want = Hex(name);
            byte[] padded = new byte[size];
            want.CopyTo(padded, 0);
            Assert.Equal(WireDecodeResult.Ok, WireCodec.TryDecode(want, out WireCommand unpadded));
            Assert.Equal(WireDecodeResult.Ok, WireCodec.TryDecode(padded, out WireCommand decoded));
            Assert.True(decoded.ContentEquals(unpadded), name);

            byte[] encoded = new byte[size];
            encoded.AsSpan().Fill(0xee);
            Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(unpadded, encoded, size));
            Assert.Equal(padded, encoded);
        }
    }

    private static void Check(string name, WireCommand command)
    {
        byte[] want = Hex(name);
        byte[] encoded = new byte[want.Length + 16];
        Assert.Equal(WireEncodeResult.Ok, WireCodec.TryEncode(command, encoded, out int written));
        Assert.Equal(Convert.ToHexStringLower(want), Convert.ToHexStringLower(encoded.AsSpan(0, written)));
        Assert.Equal(want.Length, WireCodec.EncodedLength(command));

        Assert.Equal(WireDecodeResult.Ok, WireCodec.TryDecode(want, out WireCommand decoded));
        Assert.True(decoded.ContentEquals(command), $"decoded {decoded.ToString()}, expected {command.ToString()}");
    }

    private static byte[] Hex(string name) => Convert.FromHexString(Vectors.GetProperty(name).GetString()!);
}
