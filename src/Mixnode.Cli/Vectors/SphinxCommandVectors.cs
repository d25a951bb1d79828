using System.Globalization;
using System.Text.Json;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Cli.Vectors;

/// <summary>Katzenpost's command-encoding vectors: each command encodes to the wanted bytes and parses back.</summary>
internal static class SphinxCommandVectors
{
    public static IReadOnlyList<VectorCase> Cases(JsonElement root)
    {
        var cases = new List<VectorCase>();
        if (VectorJson.HasField(root, "NextHopCmdWant"))
        {
            cases.Add(new("command NextNodeHop", () => Check(root, "NextHopCmdWant",
                default(RoutingCommands).WithNextNodeHop(VectorJson.Hex(root, "NextHopID"), VectorJson.Hex(root, "NextHopMAC")))));
        }

        if (VectorJson.HasField(root, "RecipientCmdWant"))
        {
            cases.Add(new("command Recipient", () => Check(root, "RecipientCmdWant", RoutingCommands.ToRecipient(VectorJson.Hex(root, "RecipientID")))));
        }

        if (VectorJson.HasField(root, "SURBReplyCmdWant"))
        {
            cases.Add(new("command SURBReply", () => Check(root, "SURBReplyCmdWant", default(RoutingCommands).WithSurbReply(VectorJson.Hex(root, "SURBReplyID")))));
        }

        if (VectorJson.HasField(root, "NodeDelayCmdWant"))
        {
            cases.Add(new("command NodeDelay", () => Check(root, "NodeDelayCmdWant", RoutingCommands.Delay(checked((uint)VectorJson.Int64(root, "NodeDelay"))))));
        }

        return cases;
    }

    private static VectorResult Check(JsonElement root, string wantField, RoutingCommands command)
    {
        byte[] want = VectorJson.Hex(root, wantField);
        byte[] encoded = new byte[command.EncodedLength];
        RoutingCommandCodec.TryEncode(command, encoded);
        VectorResult result = VectorResult.Compare($"encoding vs '{wantField}'", want, encoded);
        if (result.Outcome != VectorOutcome.Pass)
        {
            return result;
        }

        CommandParseResult parsed = RoutingCommandCodec.TryParse(want, out RoutingCommands back);
        if (parsed != CommandParseResult.Ok)
        {
            return VectorResult.Fail($"parsing '{wantField}' returned {parsed}");
        }

        return back == command
            ? VectorResult.Pass()
            : VectorResult.Fail(string.Create(CultureInfo.InvariantCulture, $"parsing '{wantField}' gave {back}, expected {command}"));
    }
}
