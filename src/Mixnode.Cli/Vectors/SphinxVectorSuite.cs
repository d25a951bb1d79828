using System.Globalization;
using System.Text.Json;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Vectors;

/// <summary>
/// Katzenpost Sphinx vectors. Accepts the packet-case array (<c>sphinx_vectors.json</c>: unwrap every hop,
/// compare commands and bytes, decrypt replies, rebuild replies byte for byte), the command-encoding object
/// (<c>sphinx_commands_vectors.json</c>), the primitive KATs (<c>katzenpost_primitive_kats.json</c>) and the
/// per-hop trace (<c>sphinx_vectors_trace.json</c>).
/// </summary>
internal sealed class SphinxVectorSuite : VectorSuite
{
    /// <summary>Katzenpost's vectors fix NrHops at 5; the payload length follows from the packet length.</summary>
    public const int VectorNrHops = 5;

    public override string Name => "sphinx";

    public override IReadOnlyList<VectorCase> ReadCases(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return root.EnumerateArray().Select((c, i) => new VectorCase(PacketCaseName(c, i), () => RunPacketCase(c))).ToList();
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new VectorFormatException($"expected an array of packet cases or an object, found {VectorJson.Describe(root.ValueKind)}");
        }

        if (VectorJson.HasField(root, "NextHopCmdWant") || VectorJson.HasField(root, "NodeDelayCmdWant"))
        {
            return SphinxCommandVectors.Cases(root);
        }

        if (VectorJson.HasField(root, "kdf") || VectorJson.HasField(root, "hash_sha512_256") || VectorJson.HasField(root, "stream_aes256ctr"))
        {
            return SphinxPrimitiveVectors.Cases(root);
        }

        if (VectorJson.HasField(root, "cases"))
        {
            return SphinxTraceVectors.Cases(root);
        }

        throw new VectorFormatException("an object without 'NextHopCmdWant', 'kdf' or 'cases': not a known Sphinx vector layout");
    }

    private static string PacketCaseName(JsonElement c, int index)
    {
        bool reply = c.ValueKind == JsonValueKind.Object && c.TryGetProperty("Surb", out JsonElement s) && s.ValueKind == JsonValueKind.String && s.GetString()!.Length > 0;
        int hops = c.ValueKind == JsonValueKind.Object && c.TryGetProperty("Path", out JsonElement p) && p.ValueKind == JsonValueKind.Array ? p.GetArrayLength() : 0;
        return string.Create(CultureInfo.InvariantCulture, $"packet #{index} ({hops}-hop {(reply ? "SURB reply" : "forward")})");
    }

    private static VectorResult RunPacketCase(JsonElement c)
    {
        JsonElement nodes = VectorJson.Array(c, "Nodes");
        JsonElement path = VectorJson.Array(c, "Path");
        byte[][] packets = VectorJson.HexArray(c, "Packets");
        byte[] expectedMessage = VectorJson.Hex(c, "Payload");
        byte[] surb = VectorJson.HasField(c, "Surb") ? VectorJson.Hex(c, "Surb") : [];
        byte[] surbKeys = VectorJson.HasField(c, "SurbKeys") ? VectorJson.Hex(c, "SurbKeys") : [];
        int hops = path.GetArrayLength();

        if (hops < 1 || hops > VectorNrHops)
        {
            return VectorResult.Fail($"field 'Path': {hops} hops, expected 1..{VectorNrHops}");
        }

        if (packets.Length != hops + 1)
        {
            return VectorResult.Fail($"field 'Packets': {packets.Length} entries, expected {hops + 1} (one per hop and a final empty one)");
        }

        int headerLength = new SphinxGeometry(VectorNrHops, 0).HeaderLength;
        if (packets[0].Length < headerLength + SphinxGeometry.PayloadTagLength)
        {
            return VectorResult.Fail($"field 'Packets[0]': {packets[0].Length} bytes, shorter than a {VectorNrHops}-hop header and payload tag ({headerLength + SphinxGeometry.PayloadTagLength})");
        }

        var geometry = new SphinxGeometry(VectorNrHops, packets[0].Length - headerLength - SphinxGeometry.PayloadTagLength);
        byte[] packet = (byte[])packets[0].Clone();

        if (surb.Length > 0)
        {
            // Reply creation is deterministic given the SURB: it must reproduce Packets[0] exactly.
            if (surb.Length != geometry.SurbLength)
            {
                return VectorResult.Fail($"field 'Surb': {surb.Length} bytes, expected {geometry.SurbLength}");
            }

            byte[] reply = new byte[geometry.PacketLength];
            SurbBuilder.CreateReply(geometry, surb, expectedMessage, reply, out _);
            VectorResult made = VectorResult.Compare("reply made from 'Surb' and 'Payload' vs 'Packets[0]'", packets[0], reply);
            if (made.Outcome != VectorOutcome.Pass)
            {
                return made;
            }
        }

        for (int hop = 0; hop < hops; hop++)
        {
            JsonElement pathHop = path[hop];
            string where = string.Create(CultureInfo.InvariantCulture, $"hop {hop}");
            byte[] id = VectorJson.Hex(pathHop, "ID");
            byte[] privateKey = FindPrivateKey(nodes, id, hop);
            RoutingCommands expected = ParseUserCommands(pathHop, hop);
            bool last = hop == hops - 1;

            UnwrapResult status;
            UnwrappedPacket unwrapped;
            using (var key = new X25519PrivateKey(privateKey))
            {
                status = SphinxUnwrapper.Unwrap(geometry, key, packet, out unwrapped);
            }

            if (status != UnwrapResult.Success)
            {
                return VectorResult.Fail($"{where}: unwrap returned {status}");
            }

            if (unwrapped.Commands.WithoutNextNodeHop() != expected)
            {
                return VectorResult.Fail($"{where}: commands {unwrapped.Commands.WithoutNextNodeHop()}, expected {expected}");
            }

            if (!last)
            {
                byte[] nextId = VectorJson.Hex(path[hop + 1], "ID");
                if (!unwrapped.Commands.HasNextNodeHop || !unwrapped.Commands.NextNodeId.AsReadOnlySpan().SequenceEqual(nextId))
                {
                    return VectorResult.Fail($"{where}: expected NextNodeHop to Path[{hop + 1}].ID, got {unwrapped.Commands}");
                }

                VectorResult bytes = VectorResult.Compare(string.Create(CultureInfo.InvariantCulture, $"{where}: packet after unwrap vs 'Packets[{hop + 1}]'"), packets[hop + 1], packet);
                if (bytes.Outcome != VectorOutcome.Pass)
                {
                    return bytes;
                }

                continue;
            }

            if (unwrapped.Commands.HasNextNodeHop)
            {
                return VectorResult.Fail($"{where}: the last hop must not carry NextNodeHop");
            }

            return surb.Length > 0
                ? CheckReply(geometry, surbKeys, unwrapped.Payload(packet), expectedMessage, where)
                : VectorResult.Compare($"{where}: delivered message vs 'Payload'", expectedMessage, unwrapped.Payload(packet));
        }

        return VectorResult.Fail("no hops were checked");
    }

    private static VectorResult CheckReply(SphinxGeometry geometry, byte[] surbKeys, Span<byte> payload, byte[] expectedMessage, string where)
    {
        ReplyDecryptResult decrypted = SurbBuilder.TryDecryptReply(geometry, surbKeys, payload);
        return decrypted == ReplyDecryptResult.Success
            ? VectorResult.Compare($"{where}: reply decrypted with 'SurbKeys' vs 'Payload'", expectedMessage, payload[SphinxGeometry.PayloadTagLength..])
            : VectorResult.Fail($"{where}: reply decryption with 'SurbKeys' returned {decrypted}");
    }

    private static byte[] FindPrivateKey(JsonElement nodes, byte[] id, int hop)
    {
        int i = 0;
        foreach (JsonElement node in nodes.EnumerateArray())
        {
            if (VectorJson.Hex(node, "ID").AsSpan().SequenceEqual(id))
            {
                byte[] key = VectorJson.Hex(node, "PrivateKey");
                return key.Length == X25519.ScalarSize
                    ? key
                    : throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field 'Nodes[{i}].PrivateKey': {key.Length} bytes, expected {X25519.ScalarSize}"));
            }

            i++;
        }

        throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field 'Path[{hop}].ID': no entry of 'Nodes' has this ID"));
    }

    private static RoutingCommands ParseUserCommands(JsonElement pathHop, int hop)
    {
        byte[] encoded = [.. VectorJson.HexArray(pathHop, "Commands").SelectMany(b => b)];
        if (encoded.Length > SphinxGeometry.PerHopRoutingInfoLength)
        {
            throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field 'Path[{hop}].Commands': {encoded.Length} bytes do not fit a routing block"));
        }

        CommandParseResult parsed = RoutingCommandCodec.TryParse(encoded, out RoutingCommands commands);
        return parsed == CommandParseResult.Ok
            ? commands
            : throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field 'Path[{hop}].Commands': {parsed}"));
    }
}
