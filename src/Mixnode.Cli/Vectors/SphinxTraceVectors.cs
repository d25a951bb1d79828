using System.Globalization;
using System.Text.Json;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Vectors;

/// <summary>
/// The per-hop trace (<c>sphinx_vectors_trace.json</c>): from each hop's alpha and shared secret, recomputes
/// the KDF output, blinding factor, replay tag and next alpha, and parses the decrypted routing block.
/// (The private keys live in the packet file, so the shared secret itself is checked there.)
/// </summary>
internal static class SphinxTraceVectors
{
    public static IReadOnlyList<VectorCase> Cases(JsonElement root)
    {
        var cases = new List<VectorCase>();
        int caseIndex = 0;
        foreach (JsonElement c in VectorJson.Array(root, "cases").EnumerateArray())
        {
            int hopIndex = 0;
            int thisCase = caseIndex;
            foreach (JsonElement hop in VectorJson.Array(c, "hops").EnumerateArray())
            {
                string name = string.Create(CultureInfo.InvariantCulture, $"trace case {thisCase} hop {hopIndex}");
                cases.Add(new VectorCase(name, () => RunHop(hop)));
                hopIndex++;
            }

            caseIndex++;
        }

        return cases;
    }

    private static VectorResult RunHop(JsonElement hop)
    {
        byte[] alpha = VectorJson.Hex(hop, "alpha");
        byte[] keys = new byte[SphinxKdf.OutputLength];
        SphinxKdf.Derive(VectorJson.Hex(hop, "shared_secret"), keys);
        VectorResult result = VectorResult.Compare("kdf_output", VectorJson.Hex(hop, "kdf_output"), keys);
        if (result.Outcome != VectorOutcome.Pass)
        {
            return result;
        }

        byte[] blinding = new byte[SphinxKdf.BlindingFactorLength];
        SphinxKdf.BlindingFactor(keys, blinding);
        result = VectorResult.Compare("blinding_factor", VectorJson.Hex(hop, "blinding_factor"), blinding);
        if (result.Outcome != VectorOutcome.Pass)
        {
            return result;
        }

        byte[] tag = new byte[Sha512_256.HashSize];
        Sha512_256.Hash(alpha, tag);
        result = VectorResult.Compare("replay_tag", VectorJson.Hex(hop, "replay_tag"), tag);
        if (result.Outcome != VectorOutcome.Pass)
        {
            return result;
        }

        CommandParseResult parsed = RoutingCommandCodec.TryParse(VectorJson.Hex(hop, "decrypted_routing_block"), out RoutingCommands commands);
        if (parsed != CommandParseResult.Ok)
        {
            return VectorResult.Fail($"decrypted_routing_block: parse returned {parsed}");
        }

        if (!commands.HasNextNodeHop || !VectorJson.HasField(hop, "next_alpha") || VectorJson.String(hop, "next_alpha").Length == 0)
        {
            return VectorResult.Pass();
        }

        byte[] next = new byte[X25519.PointSize];
        return X25519.ScalarMult(blinding, alpha, next)
            ? VectorResult.Compare("next_alpha", VectorJson.Hex(hop, "next_alpha"), next)
            : VectorResult.Fail("next_alpha: blinding gave the all-zero point");
    }
}
