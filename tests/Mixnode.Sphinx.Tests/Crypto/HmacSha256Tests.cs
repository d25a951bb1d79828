using System.Security.Cryptography;
using System.Text;
using FsCheck.Xunit;
using Mixnode.Sphinx.Crypto;
using Mixnode.Sphinx.Crypto.Interop;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

public class HmacSha256Tests
{
    public delegate void ComputeFn(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> tag);

    private static ComputeFn PathOf(string path) => path switch
    {
        "public" => HmacSha256.Compute,
        "libcrypto" => HmacSha256.ComputeLibCrypto,
        "fallback" => HmacSha256.ComputeFallback,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    private static byte[] Repeat(byte b, int n) => Enumerable.Repeat(b, n).ToArray();

    // RFC 4231 §4.2–4.8: (key, data, HMAC-SHA-256, compared prefix length).
    private static readonly (string Id, string Key, string Data, string Tag, int Compare)[] Rfc4231 =
    [
        (
            "1", Convert.ToHexString(Repeat(0x0b, 20)), Convert.ToHexString("Hi There"u8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 32
        ),
        (
            "2", Convert.ToHexString("Jefe"u8), Convert.ToHexString("what do ya want for nothing?"u8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32
        ),
        (
            "3", Convert.ToHexString(Repeat(0xaa, 20)), Convert.ToHexString(Repeat(0xdd, 50)),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", 32
        ),
        (
            "4", "0102030405060708090a0b0c0d0e0f10111213141516171819", Convert.ToHexString(Repeat(0xcd, 50)),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", 32
        ),
        (
            "5", Convert.ToHexString(Repeat(0x0c, 20)), Convert.ToHexString("Test With Truncation"u8),
            "a3b6167473100ee06e0c796c2955552b", 16
        ),
        (
            "6", Convert.ToHexString(Repeat(0xaa, 131)),
            Convert.ToHexString("Test Using Larger Than Block-Size Key - Hash Key First"u8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 32
        ),
        (
            "7", Convert.ToHexString(Repeat(0xaa, 131)),
            Convert.ToHexString(Encoding.ASCII.GetBytes(
                "This is a test using a larger than block-size key and a larger than block-size data. " +
                "The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 32
        ),
    ];

    [Fact]
    public void LibCrypto_fast_path_is_available_on_this_machine()
    {
        // The project's machines are Linux with OpenSSL 3; if this fails, the fast path silently degraded.
        Assert.True(LibCrypto.Sha256Available);
        Assert.True(HmacSha256.UsesLibCrypto);
    }

    [Theory]
    [MemberData(nameof(Rfc4231Cases))]
    public void Rfc4231_test_cases(string path, string caseId, string keyHex, string dataHex, string expectedHex, int compare)
    {
        _ = caseId;
        var tag = new byte[HmacSha256.TagSize];
        PathOf(path)(Convert.FromHexString(keyHex), Convert.FromHexString(dataHex), tag);
        Assert.Equal(expectedHex, Convert.ToHexStringLower(tag.AsSpan(0, compare)));
    }

    public static TheoryData<string, string, string, string, string, int> Rfc4231Cases()
    {
        var data = new TheoryData<string, string, string, string, string, int>();
        foreach (var path in new[] { "public", "libcrypto", "fallback" })
        {
            foreach (var v in Rfc4231)
            {
                data.Add(path, v.Id, v.Key, v.Data, v.Tag, v.Compare);
            }
        }

        return data;
    }

    [Fact]
    public void Verify_accepts_correct_tag_and_rejects_wrong_ones()
    {
        var key = "Jefe"u8.ToArray();
        var data = "what do ya want for nothing?"u8.ToArray();
        var tag = Convert.FromHexString("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");

        Assert.True(HmacSha256.Verify(key, data, tag));

        for (var i = 0; i < tag.Length; i++)
        {
            var bad = (byte[])tag.Clone();
            bad[i] ^= 0x01;
            Assert.False(HmacSha256.Verify(key, data, bad));
        }

        Assert.False(HmacSha256.Verify("Jeff"u8, data, tag));
        Assert.False(HmacSha256.Verify(key, "what do ya want for nothing!"u8, tag));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void Verify_returns_false_for_wrong_tag_length(int length)
    {
        var key = "Jefe"u8.ToArray();
        var data = "what do ya want for nothing?"u8.ToArray();
        var full = Convert.FromHexString("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        var tag = new byte[length];
        full.AsSpan(0, Math.Min(length, 32)).CopyTo(tag);
        Assert.False(HmacSha256.Verify(key, data, tag));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    public void Compute_rejects_wrong_tag_length(int length)
    {
        Assert.Throws<ArgumentException>(() => HmacSha256.Compute(new byte[32], new byte[10], new byte[length]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(32, 444)]
    [InlineData(63, 55)]
    [InlineData(64, 56)]
    [InlineData(65, 64)]
    [InlineData(200, 1000)]
    public void Paths_agree_with_dotnet_at_edge_sizes(int keyLength, int dataLength)
    {
        var key = Enumerable.Range(0, keyLength).Select(i => (byte)(i * 7 + 3)).ToArray();
        var data = Enumerable.Range(0, dataLength).Select(i => (byte)(i * 13 + 1)).ToArray();
        var expected = HMACSHA256.HashData(key, data);
        var fast = new byte[32];
        var fallback = new byte[32];
        HmacSha256.ComputeLibCrypto(key, data, fast);
        HmacSha256.ComputeFallback(key, data, fallback);
        Assert.Equal(expected, fast);
        Assert.Equal(expected, fallback);
    }

    [Property(MaxTest = 300)]
    public bool LibCrypto_path_matches_dotnet_for_random_inputs(byte[] key, byte[] data)
    {
        key ??= [];
        data ??= [];
        var fast = new byte[32];
        HmacSha256.ComputeLibCrypto(key, data, fast);
        return fast.AsSpan().SequenceEqual(HMACSHA256.HashData(key, data));
    }
}
