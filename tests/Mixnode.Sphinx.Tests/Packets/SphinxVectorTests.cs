using System.Text.Json;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx.Tests.Packets;

/// <summary>Katzenpost's published Sphinx vectors: every hop's output, byte for byte, and the per-hop trace.</summary>
public sealed class SphinxVectorTests
{
    private static readonly SphinxGeometry Geometry = SphinxGeometry.KatzenpostVectors;

    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        using JsonDocument doc = JsonDocument.Parse(VectorFiles.Read("sphinx/sphinx_vectors.json"));
        for (int i = 0; i < doc.RootElement.GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_hop_unwraps_to_the_published_bytes_and_commands(int index)
    {
        using JsonDocument doc = JsonDocument.Parse(VectorFiles.Read("sphinx/sphinx_vectors.json"));
        JsonElement c = doc.RootElement[index];
        JsonElement trace = JsonDocument.Parse(VectorFiles.Read("sphinx/sphinx_vectors_trace.json")).RootElement.GetProperty("cases")[index].GetProperty("hops");
        JsonElement path = c.GetProperty("Path");
        int hops = path.GetArrayLength();
        byte[] packet = Hex(c.GetProperty("Packets")[0]);
        byte[] surb = Hex(c.GetProperty("Surb"));
        byte[] message = Hex(c.GetProperty("Payload"));
        Assert.Equal(Geometry.PacketLength, packet.Length);

        if (surb.Length > 0)
        {
            byte[] reply = new byte[Geometry.PacketLength];
            SurbBuilder.CreateReply(Geometry, surb, message, reply, out Bytes32 firstHop);
            Assert.Equal(Convert.ToHexStringLower(packet), Convert.ToHexStringLower(reply));
            Assert.Equal(Hex(path[0].GetProperty("ID")), firstHop.AsReadOnlySpan().ToArray());
        }

        for (int hop = 0; hop < hops; hop++)
        {
            using var key = new X25519PrivateKey(Hex(c.GetProperty("Nodes")[hop].GetProperty("PrivateKey")));
            Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(Geometry, key, packet, out UnwrappedPacket unwrapped));
            Assert.Equal(Hex(trace[hop].GetProperty("replay_tag")), unwrapped.ReplayTag.AsReadOnlySpan().ToArray());

            byte[] userCommands = [.. path[hop].GetProperty("Commands").EnumerateArray().SelectMany(Hex)];
            Assert.Equal(CommandParseResult.Ok, RoutingCommandCodec.TryParse(userCommands, out RoutingCommands expected));
            Assert.Equal(expected, unwrapped.Commands.WithoutNextNodeHop());

            if (hop < hops - 1)
            {
                Assert.Equal(UnwrappedKind.Forward, unwrapped.Kind);
                Assert.Equal(Hex(path[hop + 1].GetProperty("ID")), unwrapped.Commands.NextNodeId.AsReadOnlySpan().ToArray());
                Assert.Equal(Hex(trace[hop].GetProperty("next_alpha")), packet.AsSpan(2, 32).ToArray());
                Assert.Equal(c.GetProperty("Packets")[hop + 1].GetString(), Convert.ToHexStringLower(packet));
                continue;
            }

            Assert.Equal(string.Empty, c.GetProperty("Packets")[hop + 1].GetString());
            if (surb.Length == 0)
            {
                Assert.Equal(UnwrappedKind.Deliver, unwrapped.Kind);
                Assert.Equal(message, unwrapped.Payload(packet).ToArray());
            }
            else
            {
                Assert.Equal(UnwrappedKind.SurbReply, unwrapped.Kind);
                Span<byte> payload = unwrapped.Payload(packet);
                Assert.Equal(Hex(trace[hop].GetProperty("payload_after_aez_decrypt")), payload.ToArray());
                Assert.Equal(ReplyDecryptResult.Success, SurbBuilder.TryDecryptReply(Geometry, Hex(c.GetProperty("SurbKeys")), payload));
                Assert.Equal(message, payload[SphinxGeometry.PayloadTagLength..].ToArray());
            }
        }
    }

    [Fact]
    public void Kdf_split_matches_katzenposts_known_answer()
    {
        using JsonDocument doc = JsonDocument.Parse(VectorFiles.Read("sphinx/katzenpost_primitive_kats.json"));
        JsonElement kdf = doc.RootElement.GetProperty("kdf");
        byte[] keys = new byte[SphinxKdf.OutputLength];
        SphinxKdf.Derive(Hex(kdf.GetProperty("ikm_shared_secret")), keys);
        byte[] blinding = new byte[32];
        SphinxKdf.BlindingFactor(keys, blinding);

        Assert.Equal(Hex(kdf.GetProperty("header_mac_key")), SphinxKdf.MacKey(keys).ToArray());
        Assert.Equal(Hex(kdf.GetProperty("header_enc_key")), SphinxKdf.HeaderKey(keys).ToArray());
        Assert.Equal(Hex(kdf.GetProperty("header_enc_iv")), SphinxKdf.HeaderIv(keys).ToArray());
        Assert.Equal(Hex(kdf.GetProperty("payload_aez_key")), SphinxKdf.PayloadKey(keys).ToArray());
        Assert.Equal(Hex(kdf.GetProperty("blinding_factor")), blinding);
    }

    [Fact]
    public void Trace_kdf_and_blinding_match_every_hop()
    {
        using JsonDocument doc = JsonDocument.Parse(VectorFiles.Read("sphinx/sphinx_vectors_trace.json"));
        foreach (JsonElement hop in doc.RootElement.GetProperty("cases").EnumerateArray().SelectMany(c => c.GetProperty("hops").EnumerateArray()))
        {
            byte[] keys = new byte[SphinxKdf.OutputLength];
            SphinxKdf.Derive(Hex(hop.GetProperty("shared_secret")), keys);
            Assert.Equal(Hex(hop.GetProperty("kdf_output")), keys);
            byte[] blinding = new byte[32];
            SphinxKdf.BlindingFactor(keys, blinding);
            Assert.Equal(Hex(hop.GetProperty("blinding_factor")), blinding);
        }
    }

    private static byte[] Hex(JsonElement e) => Convert.FromHexString(e.GetString()!);
}
