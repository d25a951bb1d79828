using System.Text;
using System.Text.Json;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Vectors;

/// <summary>Katzenpost's primitive KATs: SHA-512/256, the AES-256-CTR keystream, and the KDF split.</summary>
internal static class SphinxPrimitiveVectors
{
    public static IReadOnlyList<VectorCase> Cases(JsonElement root)
    {
        var cases = new List<VectorCase>();
        if (VectorJson.HasField(root, "hash_sha512_256"))
        {
            cases.Add(new("primitive SHA-512/256", () => Sha512_256Case(root.GetProperty("hash_sha512_256"))));
        }

        if (VectorJson.HasField(root, "stream_aes256ctr"))
        {
            cases.Add(new("primitive AES-256-CTR", () => Aes256CtrCase(root.GetProperty("stream_aes256ctr"))));
        }

        if (VectorJson.HasField(root, "kdf"))
        {
            cases.Add(new("primitive KDF split", () => KdfCase(root.GetProperty("kdf"))));
        }

        return cases;
    }

    private static VectorResult Sha512_256Case(JsonElement c)
    {
        byte[] digest = new byte[Sha512_256.HashSize];
        Sha512_256.Hash(VectorJson.Hex(c, "msg"), digest);
        return VectorResult.Compare("digest", VectorJson.Hex(c, "digest"), digest);
    }

    private static VectorResult Aes256CtrCase(JsonElement c)
    {
        byte[] first = VectorJson.Hex(c, "keystream_first_1024");
        byte[] keystream = new byte[first.Length * 2];
        Aes256Ctr.Keystream(VectorJson.Hex(c, "key"), VectorJson.Hex(c, "iv"), keystream);
        VectorResult result = VectorResult.Compare("keystream_first_1024", first, keystream.AsSpan(0, first.Length));
        if (result.Outcome != VectorOutcome.Pass || !VectorJson.HasField(c, "second_1024_xor"))
        {
            return result;
        }

        byte[] xored = new byte[first.Length];
        for (int i = 0; i < xored.Length; i++)
        {
            xored[i] = (byte)(keystream[i] ^ keystream[first.Length + i]);
        }

        return VectorResult.Compare("second_1024_xor", VectorJson.Hex(c, "second_1024_xor"), xored);
    }

    private static VectorResult KdfCase(JsonElement c)
    {
        if (VectorJson.HasField(c, "info_ascii") && !Encoding.ASCII.GetBytes(VectorJson.String(c, "info_ascii")).AsSpan().SequenceEqual(SphinxKdf.Info))
        {
            return VectorResult.Fail("field 'info_ascii' differs from Katzenpost's KDF info string");
        }

        byte[] keys = new byte[SphinxKdf.OutputLength];
        SphinxKdf.Derive(VectorJson.Hex(c, "ikm_shared_secret"), keys);
        byte[] blinding = new byte[SphinxKdf.BlindingFactorLength];
        SphinxKdf.BlindingFactor(keys, blinding);
        (string Field, byte[] Actual)[] parts =
        [
            ("header_mac_key", SphinxKdf.MacKey(keys).ToArray()),
            ("header_enc_key", SphinxKdf.HeaderKey(keys).ToArray()),
            ("header_enc_iv", SphinxKdf.HeaderIv(keys).ToArray()),
            ("payload_aez_key", SphinxKdf.PayloadKey(keys).ToArray()),
            ("blinding_factor", blinding),
        ];
        foreach ((string field, byte[] actual) in parts)
        {
            VectorResult result = VectorResult.Compare(field, VectorJson.Hex(c, field), actual);
            if (result.Outcome != VectorOutcome.Pass)
            {
                return result;
            }
        }

        return VectorResult.Pass();
    }
}
