using System.Text.Json;
using System.Text.Json.Nodes;
using Mixnode.Cli.Vectors;

namespace Mixnode.Cli.Tests.Vectors;

/// <summary><c>mixnode vectors wire</c>: the published file passes; tampered, malformed and unknown entries are named.</summary>
public sealed class WireVectorCommandTests : IDisposable
{
    private static readonly string Published = Path.Combine(AppContext.BaseDirectory, "Vectors", "wire", "wire_commands_vectors.json");

    private readonly string _dir = Directory.CreateTempSubdirectory("mixnode-wire-vectors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Every_command_of_the_published_file_passes()
    {
        (int exit, string[] lines) = Run(Published);
        Assert.Equal(0, exit);
        Assert.Equal(
            ["PASS command NoOp", "PASS command Disconnect", "PASS command SendPacket", "PASS command RetrieveMessage",
             "PASS command Message", "PASS command GetConsensus", "PASS command Consensus", "7 passed, 0 failed, 0 skipped"],
            lines);
    }

    [Fact]
    public void The_suite_is_registered() => Assert.Contains(VectorsCommand.Suites, s => s.Name == "wire");

    [Theory]
    [InlineData("MessageSeq", "9877", "command Message", "encoding vs 'Message': differs at byte 9")]
    [InlineData("RetrieveMessage", "\"10000000000400003038\"", "command RetrieveMessage", "encoding vs 'RetrieveMessage': differs at byte 9")]
    [InlineData("ConsensusErrorCode", "1", "command Consensus", "encoding vs 'Consensus': differs at byte 6")]
    [InlineData("SendPacketPayload", "\"00\"", "command SendPacket", "encoding vs 'SendPacket': expected 222 bytes, got 7")]
    public void A_changed_value_fails_that_case_only(string key, string json, string failing, string reason)
    {
        (int exit, string[] lines) = Run(Write(Edit(o => o[key] = JsonNode.Parse(json))));
        Assert.Equal(1, exit);
        Assert.StartsWith($"FAIL {failing}: {reason}", Assert.Single(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal("6 passed, 1 failed, 0 skipped", lines[^1]);
    }

    [Theory]
    [InlineData("MessageSeq", null, "command Message", "field 'MessageSeq' is missing")]
    [InlineData("MessageSeq", "\"x\"", "command Message", "field 'MessageSeq': expected an integer")]
    [InlineData("MessageSeq", "4294967296", "command Message", "field 'MessageSeq': 4294967296 is not a 32-bit unsigned sequence number")]
    [InlineData("GetConsensusEpoch", "-1", "command GetConsensus", "field 'GetConsensusEpoch': expected an unsigned 64-bit integer")]
    [InlineData("ConsensusErrorCode", "256", "command Consensus", "field 'ConsensusErrorCode': 256 does not fit in a byte")]
    [InlineData("ConsensusPayload", "\"abc\"", "command Consensus", "field 'ConsensusPayload': hex string has odd length 3")]
    [InlineData("NoOp", "[]", "command NoOp", "field 'NoOp': expected a string")]
    [InlineData("SendPacket", "\"zz\"", "command SendPacket", "field 'SendPacket': not a hex string")]
    public void A_malformed_field_fails_naming_the_case_and_field(string key, string? json, string failing, string reason)
    {
        (int exit, string[] lines) = Run(Write(Edit(o =>
        {
            if (json is null)
            {
                o.Remove(key);
            }
            else
            {
                o[key] = JsonNode.Parse(json);
            }
        })));
        Assert.Equal(1, exit);
        string fail = Assert.Single(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
        Assert.StartsWith($"FAIL {failing}: malformed case: {reason}", fail, StringComparison.Ordinal);
        Assert.Equal("6 passed, 1 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public void A_non_canonical_encoding_fails_at_the_first_differing_byte()
    {
        // Encoding is checked before decoding, so a command with its reserved byte set fails on the encoding;
        // the decoder's refusals are tested in Mixnode.Node.Tests.
        (int exit, string[] lines) = Run(Write(Edit(o => o["Disconnect"] = "010100000000")));
        Assert.Equal(1, exit);
        Assert.Contains("FAIL command Disconnect: encoding vs 'Disconnect': differs at byte 1 (expected 01, got 00)", lines);
    }

    [Fact]
    public void Unknown_keys_are_skipped_with_a_reason()
    {
        (int exit, string[] lines) = Run(Write(Edit(o =>
        {
            o["PostDescriptor"] = "1400";
            o["MessageACKSeq"] = 5;
        })));
        Assert.Equal(0, exit);
        Assert.Contains("SKIP PostDescriptor: unknown key: not a command this runner knows, nor a field of one in the file", lines);
        Assert.Contains(lines, l => l.StartsWith("SKIP MessageACKSeq: unknown key", StringComparison.Ordinal));
        Assert.Equal("7 passed, 0 failed, 2 skipped", lines[^1]);
    }

    [Fact]
    public void Ack_and_empty_entries_are_checked_when_present()
    {
        (int exit, string[] lines) = Run(Write(Edit(o =>
        {
            o["MessageEmpty"] = "1100000000060000000702" + "00";
            o["MessageEmptySeq"] = 7;
            o["MessageACK"] = "110000000018" + "00000009" + "01" + "03" + "000102030405060708090a0b0c0d0e0f" + "abcd";
            o["MessageACKSeq"] = 9;
            o["MessageACKQueueSizeHint"] = 3;
            o["MessageACKID"] = "000102030405060708090a0b0c0d0e0f";
            o["MessageACKPayload"] = "abcd";
        })));
        Assert.Equal(0, exit);
        Assert.Contains("PASS command MessageEmpty", lines);
        Assert.Contains("PASS command MessageACK", lines);
        Assert.Equal("9 passed, 0 failed, 0 skipped", lines[^1]);
    }

    [Theory]
    [InlineData("[]", "not a wire vector file: a wire vector file is one JSON object")]
    [InlineData("{\"x\": 1}", "not a wire vector file: no known command key")]
    [InlineData("{", "not valid JSON")]
    public void A_file_of_the_wrong_shape_is_one_failure(string content, string reason)
    {
        string path = Path.Combine(_dir, "shape.json");
        File.WriteAllText(path, content);
        (int exit, string[] lines) = Run(path);
        Assert.Equal(1, exit);
        Assert.StartsWith($"FAIL {path}: {reason}", lines[0], StringComparison.Ordinal);
        Assert.Equal("0 passed, 1 failed, 0 skipped", lines[^1]);
    }

    private static JsonObject Edit(Action<JsonObject> change)
    {
        JsonObject o = JsonNode.Parse(File.ReadAllText(Published))!.AsObject();
        change(o);
        return o;
    }

    private string Write(JsonObject o)
    {
        string path = Path.Combine(_dir, $"wire-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        return path;
    }

    private static (int Exit, string[] Lines) Run(string path)
    {
        using var output = new StringWriter();
        int exit = MixnodeCommand.Run(["vectors", "wire", path], output);
        return (exit, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
