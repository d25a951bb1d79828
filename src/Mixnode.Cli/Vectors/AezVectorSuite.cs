using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Vectors;

/// <summary>
/// Any AEZ vector file (a JSON array of cases). Each case's kind comes from its fields, so mixed files work:
/// <c>{a,b}</c> extract, <c>{k,j,i,src,dst}</c> E(j,i), <c>{k,tau,data,v}</c> hash (tau in bits),
/// <c>{k,delta,tau,r}</c> prf, <c>{k,nonce,data,tau,m,c}</c> encrypt (Encrypt == c and TryDecrypt(c) == m).
/// Stage cases use the engine of the backend in use (AES-NI when available).
/// </summary>
internal sealed class AezVectorSuite : VectorSuite
{
    public override string Name => "aez";

    public override IReadOnlyList<VectorCase> ReadCases(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new VectorFormatException($"an AEZ vector file is a JSON array of cases, found {VectorJson.Describe(root.ValueKind)}");
        }

        var cases = new List<VectorCase>(root.GetArrayLength());
        int index = 0;
        foreach (JsonElement element in root.EnumerateArray())
        {
            cases.Add(Classify(element, index++));
        }

        return cases;
    }

    private static VectorCase Classify(JsonElement c, int index)
    {
        string Name(string kind, string? detail = null) =>
            detail is null
                ? string.Create(CultureInfo.InvariantCulture, $"{kind} #{index}")
                : string.Create(CultureInfo.InvariantCulture, $"{kind} #{index} ({detail})");

        if (c.ValueKind != JsonValueKind.Object)
        {
            return new VectorCase(Name("case"), () => throw new VectorFormatException($"expected a case object, found {VectorJson.Describe(c.ValueKind)}"));
        }

        // The most specific field decides; missing companions are then reported by Run, naming the field.
        if (Has(c, "nonce") || Has(c, "m") || Has(c, "c"))
        {
            return new VectorCase(Name("encrypt", EncryptDetail(c)), () => RunEncrypt(c));
        }

        if (Has(c, "src") || Has(c, "dst") || Has(c, "j"))
        {
            return new VectorCase(Name("E", $"j={Peek(c, "j")}, i={Peek(c, "i")}"), () => RunE(c));
        }

        if (Has(c, "delta") || Has(c, "r"))
        {
            return new VectorCase(Name("prf", $"tau={Peek(c, "tau")}"), () => RunPrf(c));
        }

        if (Has(c, "v") || Has(c, "data"))
        {
            return new VectorCase(Name("hash", $"tau={Peek(c, "tau")} bits"), () => RunHash(c));
        }

        if (Has(c, "a") || Has(c, "b"))
        {
            return new VectorCase(Name("extract"), () => RunExtract(c));
        }

        return new VectorCase(Name("case"), () => throw new VectorFormatException(
            "unrecognised AEZ case: expected fields {a,b}, {k,j,i,src,dst}, {k,tau,data,v}, {k,delta,tau,r} or {k,nonce,data,tau,m,c}"));
    }

    private static bool Has(JsonElement c, string name) => VectorJson.HasField(c, name);

    /// <summary>A field's raw value for a case name, or "?" when absent; validation happens in Run.</summary>
    private static string Peek(JsonElement c, string name)
    {
        if (!c.TryGetProperty(name, out JsonElement value))
        {
            return "?";
        }

        string raw = value.GetRawText();
        return raw.Length <= 12 ? raw : raw[..12] + "…";
    }

    private static string EncryptDetail(JsonElement c)
    {
        string length = c.TryGetProperty("m", out JsonElement m) && m.ValueKind == JsonValueKind.String
            ? (m.GetString()!.Length / 2).ToString(CultureInfo.InvariantCulture)
            : "?";
        string ad = c.TryGetProperty("data", out JsonElement data) && data.ValueKind == JsonValueKind.Array
            ? data.GetArrayLength() switch
            {
                0 => "no AD",
                1 => "1 AD",
                int k => string.Create(CultureInfo.InvariantCulture, $"{k} AD"),
            }
            : "AD ?";
        return $"|m|={length}, tau={Peek(c, "tau")}, {ad}";
    }

    private static VectorResult RunExtract(JsonElement c)
    {
        byte[] a = VectorJson.Hex(c, "a");
        byte[] b = VectorJson.Hex(c, "b");
        AezKey.Extract(a, out AezKey key);
        Span<byte> ijl = stackalloc byte[AezKey.RawSize];
        key.I.CopyTo(ijl);
        key.J.CopyTo(ijl.Slice(16));
        key.L.CopyTo(ijl.Slice(32));
        return VectorResult.Compare("b", b, ijl);
    }

    private static VectorResult RunE(JsonElement c)
    {
        byte[] k = VectorJson.Hex(c, "k");
        int j = VectorJson.Int32(c, "j");
        long i = VectorJson.Int64(c, "i");
        byte[] src = Block(c, "src");
        byte[] dst = Block(c, "dst");
        if (j < -1 || i < 0)
        {
            throw new VectorFormatException(j < -1 ? "field 'j': must be -1 or more" : "field 'i': must not be negative");
        }

        AezKey.Extract(k, out AezKey key);
        Vector128<byte> result = Aez.IsHardwareAccelerated
            ? AezEngine<AezHardwareRound>.E(in key, j, i, Vector128.Create(src))
            : AezEngine<AezPortableRound>.E(in key, j, i, Vector128.Create(src));
        return VectorResult.Compare("dst", dst, Bytes(result));
    }

    private static VectorResult RunHash(JsonElement c)
    {
        byte[] k = VectorJson.Hex(c, "k");
        long tauBits = VectorJson.Int64(c, "tau");
        byte[][] data = VectorJson.HexArray(c, "data");
        byte[] v = Block(c, "v");
        if (tauBits < 0)
        {
            throw new VectorFormatException("field 'tau': must not be negative");
        }

        if (data.Length == 0)
        {
            throw new VectorFormatException("field 'data': must hold at least the nonce");
        }

        AezKey.Extract(k, out AezKey key);
        byte[][] ad = data[1..];
        Vector128<byte> result = Aez.IsHardwareAccelerated
            ? AezEngine<AezHardwareRound>.Hash(in key, (ulong)tauBits, data[0], ad)
            : AezEngine<AezPortableRound>.Hash(in key, (ulong)tauBits, data[0], ad);
        return VectorResult.Compare("v", v, Bytes(result));
    }

    private static VectorResult RunPrf(JsonElement c)
    {
        byte[] k = VectorJson.Hex(c, "k");
        byte[] delta = Block(c, "delta");
        int tau = VectorJson.Int32(c, "tau");
        byte[] r = VectorJson.Hex(c, "r");
        if (tau < 0)
        {
            throw new VectorFormatException("field 'tau': must not be negative");
        }

        AezKey.Extract(k, out AezKey key);
        var result = new byte[tau];
        if (Aez.IsHardwareAccelerated)
        {
            AezEngine<AezHardwareRound>.Prf(in key, Vector128.Create(delta), result);
        }
        else
        {
            AezEngine<AezPortableRound>.Prf(in key, Vector128.Create(delta), result);
        }

        return VectorResult.Compare("r", r, result);
    }

    private static VectorResult RunEncrypt(JsonElement c)
    {
        byte[] k = VectorJson.Hex(c, "k");
        byte[] nonce = VectorJson.Hex(c, "nonce");
        byte[][] ad = VectorJson.HexArray(c, "data");
        int tau = VectorJson.Int32(c, "tau");
        byte[] m = VectorJson.Hex(c, "m");
        byte[] expected = VectorJson.Hex(c, "c");
        if (tau < 0)
        {
            throw new VectorFormatException("field 'tau': must not be negative");
        }

        VectorResult encrypted = VectorResult.Compare("c (Encrypt)", expected, Aez.Encrypt(k, nonce, ad, tau, m));
        if (encrypted.Outcome != VectorOutcome.Pass)
        {
            return encrypted;
        }

        if (!Aez.TryDecrypt(k, nonce, ad, tau, expected, out byte[]? decrypted))
        {
            return VectorResult.Fail("m (Decrypt): ciphertext c did not authenticate");
        }

        return VectorResult.Compare("m (Decrypt)", m, decrypted);
    }

    private static byte[] Block(JsonElement c, string name)
    {
        byte[] value = VectorJson.Hex(c, name);
        return value.Length == 16
            ? value
            : throw new VectorFormatException($"field '{name}': expected 16 bytes, got {value.Length}");
    }

    private static byte[] Bytes(Vector128<byte> block)
    {
        var bytes = new byte[16];
        block.CopyTo(bytes);
        return bytes;
    }
}
