using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

public class HkdfSha256Tests
{
    public delegate void ExpandFn(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> output);

    public static TheoryData<string> Paths => new() { "public", "libcrypto", "fallback" };

    private static ExpandFn PathOf(string path) => path switch
    {
        "public" => HkdfSha256.Expand,
        "libcrypto" => HkdfSha256.ExpandLibCrypto,
        "fallback" => HkdfSha256.ExpandFallback,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    /// <summary>RFC 5869 HKDF-Expand reference written out from the definition, on .NET's HMAC.</summary>
    private static byte[] Reference(byte[] prk, byte[] info, int length)
    {
        var okm = new List<byte>();
        var t = Array.Empty<byte>();
        for (var i = 1; okm.Count < length; i++)
        {
            t = HMACSHA256.HashData(prk, (byte[])[.. t, .. info, (byte)i]);
            okm.AddRange(t);
        }

        return okm.Take(length).ToArray();
    }

    // RFC 5869 Appendix A.1–A.3: PRK, info, L, OKM.
    public static TheoryData<string, string, string, int, string> Rfc5869()
    {
        var cases = new (string Prk, string Info, int L, string Okm)[]
        {
            (
                "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", "f0f1f2f3f4f5f6f7f8f9", 42,
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
            ),
            (
                "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
                "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                82,
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"
            ),
            (
                "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", "", 42,
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
            ),
        };

        var data = new TheoryData<string, string, string, int, string>();
        foreach (var path in new[] { "public", "libcrypto", "fallback" })
        {
            foreach (var c in cases)
            {
                data.Add(path, c.Prk, c.Info, c.L, c.Okm);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rfc5869))]
    public void Rfc5869_test_cases(string path, string prkHex, string infoHex, int length, string okmHex)
    {
        var okm = new byte[length];
        PathOf(path)(Convert.FromHexString(prkHex), Convert.FromHexString(infoHex), okm);
        Assert.Equal(okmHex, Convert.ToHexStringLower(okm));
    }

    public static TheoryData<string, int> PathsAndLengths()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in new[] { "public", "libcrypto", "fallback" })
        {
            foreach (var length in new[] { 0, 1, 31, 32, 33, 64, 160, 8159, 8160 })
            {
                data.Add(path, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndLengths))]
    public void Output_lengths_match_reference(string path, int length)
    {
        var prk = Enumerable.Range(0, 32).Select(i => (byte)(0xa0 + i)).ToArray();
        var info = "katzenpost-kdf-v0-hkdf-sha256"u8.ToArray();
        var okm = new byte[length];
        PathOf(path)(prk, info, okm);
        Assert.Equal(Reference(prk, info, length), okm);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Output_longer_than_8160_throws(string path)
    {
        Assert.Throws<ArgumentException>(() => PathOf(path)(new byte[32], [], new byte[8161]));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Prefixes_are_consistent(string path)
    {
        // HKDF-Expand(L1) is a prefix of HKDF-Expand(L2) for L1 < L2.
        var prk = new byte[32];
        var full = new byte[200];
        PathOf(path)(prk, "x"u8, full);
        for (var l = 0; l <= 200; l += 7)
        {
            var part = new byte[l];
            PathOf(path)(prk, "x"u8, part);
            Assert.Equal(full.AsSpan(0, l).ToArray(), part);
        }
    }

    public static TheoryData<string, int> PathsAndPrkLengths()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in new[] { "public", "libcrypto", "fallback" })
        {
            foreach (var length in new[] { 0, 1, 16, 31, 32, 64, 65, 100 })
            {
                data.Add(path, length);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndPrkLengths))]
    public void Any_prk_length_matches_reference(string path, int prkLength)
    {
        var prk = Enumerable.Range(0, prkLength).Select(i => (byte)(i * 3)).ToArray();
        var info = Encoding.ASCII.GetBytes(new string('i', 300)); // also > 255 bytes of info
        var okm = new byte[100];
        PathOf(path)(prk, info, okm);
        Assert.Equal(Reference(prk, info, 100), okm);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Info_overlapping_output_throws(string path)
    {
        var buffer = new byte[64];
        Assert.Throws<ArgumentException>(() => PathOf(path)(new byte[32], buffer.AsSpan(0, 10), buffer.AsSpan(5, 32)));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Katzenpost_kdf_vector(string path)
    {
        using var doc = JsonDocument.Parse(VectorFiles.Read("sphinx/katzenpost_primitive_kats.json"));
        var kdf = doc.RootElement.GetProperty("kdf");
        var prk = Convert.FromHexString(kdf.GetProperty("ikm_shared_secret").GetString()!);
        var info = Encoding.ASCII.GetBytes(kdf.GetProperty("info_ascii").GetString()!);
        var okm = new byte[160];
        PathOf(path)(prk, info, okm);

        Assert.Equal(kdf.GetProperty("header_mac_key").GetString(), Convert.ToHexStringLower(okm.AsSpan(0, 32)));
        Assert.Equal(kdf.GetProperty("header_enc_key").GetString(), Convert.ToHexStringLower(okm.AsSpan(32, 32)));
        Assert.Equal(kdf.GetProperty("header_enc_iv").GetString(), Convert.ToHexStringLower(okm.AsSpan(64, 16)));
        Assert.Equal(kdf.GetProperty("payload_aez_key").GetString(), Convert.ToHexStringLower(okm.AsSpan(80, 48)));

        // okm[128:160] is the blinding-factor ChaCha20 key; checked end-to-end in ChaCha20Tests.
        Assert.Equal(
            "214d4d4f4d726c7bd78553fb6098244414dc27d8360b28cdfa1ea70e29143f22",
            Convert.ToHexStringLower(okm.AsSpan(128, 32)));
    }
}
