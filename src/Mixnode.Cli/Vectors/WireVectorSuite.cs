using System.Globalization;
using System.Text.Json;
using Mixnode.Links.Wire;

namespace Mixnode.Cli.Vectors;

/// <summary>
/// Katzenpost's wire-command vectors: one JSON object where each command name (<c>NoOp</c>, <c>SendPacket</c>,
/// <c>Message</c>, …) holds the expected hex and companion keys (<c>SendPacketPayload</c>, <c>MessageSeq</c>, …)
/// hold its fields. Each command is a case: it must encode to the hex, and the hex (also zero-padded to a
/// fixed size) must decode to the same fields. Keys that are neither a known command nor a field of one
/// present are skipped with a reason.
/// </summary>
internal sealed class WireVectorSuite : VectorSuite
{
    /// <summary>The vectors are unpadded; each is also checked padded to this many more bytes.</summary>
    private const int PaddingChecked = 64;

    /// <summary>Known commands and the companion fields each reads (optional ones end in '?').</summary>
    private static readonly (string Command, string[] Fields)[] Commands =
    [
        ("NoOp", []),
        ("Disconnect", []),
        ("SendPacket", ["SendPacketPayload"]),
        ("RetrieveMessage", ["RetrieveMessageSeq"]),
        ("Message", ["MessageSeq", "MessagePayload", "MessageQueueSizeHint?"]),
        ("MessageACK", ["MessageACKSeq", "MessageACKID", "MessageACKPayload", "MessageACKQueueSizeHint?"]),
        ("MessageEmpty", ["MessageEmptySeq"]),
        ("GetConsensus", ["GetConsensusEpoch"]),
        ("Consensus", ["ConsensusPayload", "ConsensusErrorCode"]),
    ];

    public override string Name => "wire";

    public override IReadOnlyList<VectorCase> ReadCases(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new VectorFormatException($"a wire vector file is one JSON object of commands and fields, found {VectorJson.Describe(root.ValueKind)}");
        }

        var known = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string command, string[] fields) in Commands)
        {
            if (VectorJson.HasField(root, command))
            {
                known[command] = command;
                foreach (string field in fields)
                {
                    known[field.TrimEnd('?')] = command;
                }
            }
        }

        if (known.Count == 0)
        {
            throw new VectorFormatException("no known command key (NoOp, Disconnect, SendPacket, RetrieveMessage, Message, GetConsensus, Consensus)");
        }

        var cases = new List<VectorCase>();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            string key = property.Name;
            if (!known.TryGetValue(key, out string? owner))
            {
                cases.Add(new VectorCase(key, () => VectorResult.Skip("unknown key: not a command this runner knows, nor a field of one in the file")));
            }
            else if (owner == key)
            {
                cases.Add(new VectorCase($"command {key}", () => Run(root, key)));
            }
        }

        return cases;
    }

    private static VectorResult Run(JsonElement root, string name)
    {
        byte[] want = VectorJson.Hex(root, name);
        byte[] surbId = [];
        byte[] payload = [];
        WireCommand command;
        switch (name)
        {
            case "NoOp":
                command = WireCommand.NoOp();
                break;
            case "Disconnect":
                command = WireCommand.Disconnect();
                break;
            case "SendPacket":
                payload = VectorJson.Hex(root, "SendPacketPayload");
                command = WireCommand.SendPacket(payload);
                break;
            case "RetrieveMessage":
                command = WireCommand.RetrieveMessage(UInt32(root, "RetrieveMessageSeq"));
                break;
            case "Message":
                payload = VectorJson.Hex(root, "MessagePayload");
                command = WireCommand.Message(OptionalByte(root, "MessageQueueSizeHint"), UInt32(root, "MessageSeq"), payload);
                break;
            case "MessageACK":
                payload = VectorJson.Hex(root, "MessageACKPayload");
                surbId = VectorJson.Hex(root, "MessageACKID");
                if (surbId.Length != WireCodec.SurbIdLength)
                {
                    throw new VectorFormatException($"field 'MessageACKID': expected {WireCodec.SurbIdLength} bytes, got {surbId.Length}");
                }

                command = WireCommand.MessageAck(OptionalByte(root, "MessageACKQueueSizeHint"), UInt32(root, "MessageACKSeq"), surbId, payload);
                break;
            case "MessageEmpty":
                command = WireCommand.MessageEmpty(UInt32(root, "MessageEmptySeq"));
                break;
            case "GetConsensus":
                command = WireCommand.GetConsensus(UInt64(root, "GetConsensusEpoch"));
                break;
            default:
                payload = VectorJson.Hex(root, "ConsensusPayload");
                command = WireCommand.Consensus(Byte(root, "ConsensusErrorCode"), payload);
                break;
        }

        return Check(name, want, command);
    }

    private static VectorResult Check(string name, byte[] want, scoped in WireCommand command)
    {
        byte[] encoded = new byte[want.Length + PaddingChecked];
        WireEncodeResult encodeResult = WireCodec.TryEncode(command, encoded, out int written);
        if (encodeResult != WireEncodeResult.Ok)
        {
            return VectorResult.Fail($"encoding returned {encodeResult}");
        }

        VectorResult compared = VectorResult.Compare($"encoding vs '{name}'", want, encoded.AsSpan(0, written));
        if (compared.Outcome != VectorOutcome.Pass)
        {
            return compared;
        }

        WireDecodeResult decodeResult = WireCodec.TryDecode(want, out WireCommand decoded);
        if (decodeResult != WireDecodeResult.Ok)
        {
            return VectorResult.Fail($"decoding '{name}' returned {decodeResult}");
        }

        if (!decoded.ContentEquals(command))
        {
            return VectorResult.Fail($"decoding '{name}' gave {decoded.ToString()}, expected {command.ToString()}");
        }

        // A link pads every command to one size; the padded form must decode to the same command.
        byte[] padded = new byte[want.Length + PaddingChecked];
        want.CopyTo(padded, 0);
        decodeResult = WireCodec.TryDecode(padded, out decoded);
        return decodeResult == WireDecodeResult.Ok && decoded.ContentEquals(command)
            ? VectorResult.Pass()
            : VectorResult.Fail(string.Create(CultureInfo.InvariantCulture, $"decoding '{name}' zero-padded to {padded.Length} bytes returned {decodeResult}"));
    }

    private static uint UInt32(JsonElement root, string name)
    {
        long value = VectorJson.Int64(root, name);
        return value is >= 0 and <= uint.MaxValue
            ? (uint)value
            : throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field '{name}': {value} is not a 32-bit unsigned sequence number"));
    }

    private static ulong UInt64(JsonElement root, string name)
    {
        JsonElement value = VectorJson.Field(root, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out ulong n)
            ? n
            : throw new VectorFormatException($"field '{name}': expected an unsigned 64-bit integer, found {VectorJson.Describe(value.ValueKind)} {value.GetRawText()}");
    }

    private static byte Byte(JsonElement root, string name)
    {
        long value = VectorJson.Int64(root, name);
        return value is >= 0 and <= byte.MaxValue
            ? (byte)value
            : throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field '{name}': {value} does not fit in a byte"));
    }

    private static byte OptionalByte(JsonElement root, string name) => VectorJson.HasField(root, name) ? Byte(root, name) : (byte)0;
}
