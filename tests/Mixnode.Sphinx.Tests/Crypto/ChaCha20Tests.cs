using System.Text;
using System.Text.Json;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>Expected values: RFC 8439, the Katzenpost KAT file, and (multi-block DJB counter carry) Python cryptography / OpenSSL.</summary>
public class ChaCha20Tests
{
    public delegate void KeystreamFn(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ulong counter, Span<byte> output);

    public static TheoryData<string> Paths => new() { "public", "vector128", "scalar" };

    private static KeystreamFn PathOf(string path) => path switch
    {
        "public" => ChaCha20.Keystream,
        "vector128" => (k, n, c, o) => { ChaCha20.Validate(k, n, c, o); ChaCha20.KeystreamVector128(k, n, c, o); },
        "scalar" => (k, n, c, o) => { ChaCha20.Validate(k, n, c, o); ChaCha20.KeystreamScalar(k, n, c, o); },
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    private static readonly byte[] Key0To31 = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Vector128_path_is_used_on_this_machine() => Assert.True(ChaCha20.UsesVector128);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc8439_2_3_2_block(string path)
    {
        var block = new byte[64];
        PathOf(path)(Key0To31, Convert.FromHexString("000000090000004a00000000"), 1, block);
        Assert.Equal(
            "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
            "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e",
            Convert.ToHexStringLower(block));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rfc8439_2_4_2_encryption(string path)
    {
        var plaintext = Encoding.ASCII.GetBytes(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
        Assert.Equal(114, plaintext.Length); // two blocks + a 50-byte partial block
        var ks = new byte[plaintext.Length];
        PathOf(path)(Key0To31, Convert.FromHexString("000000000000004a00000000"), 1, ks);
        var ciphertext = plaintext.Select((p, i) => (byte)(p ^ ks[i])).ToArray();
        Assert.Equal(
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b" +
            "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8" +
            "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736" +
            "5af90bbf74a35be6b40b8eedf2785e42874d",
            Convert.ToHexStringLower(ciphertext));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Djb_zero_nonce_equals_ietf_zero_nonce_at_counter_0(string path)
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();
        var djb = new byte[64];
        var ietf = new byte[64];
        PathOf(path)(key, new byte[8], 0, djb);
        PathOf(path)(key, new byte[12], 0, ietf);
        Assert.Equal(ietf, djb);

        // With a non-zero high counter word they must differ (word 13 is counter-high vs nonce[0..4]).
        PathOf(path)(key, new byte[8], 1UL << 32, djb);
        Assert.NotEqual(ietf, djb);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Djb_counter_carries_into_high_word(string path)
    {
        // Blocks 2^32-1, 2^32, 2^32+1 with nonce 0102030405060708; from OpenSSL via Python cryptography.
        var ks = new byte[192];
        PathOf(path)(Key0To31, Convert.FromHexString("0102030405060708"), 0xffffffff, ks);
        Assert.Equal(
            "3b6550a12f42a6bc3c696dfa385e898f5db8bb3d08902ae6a37d320cf856254c28bf3490780956d9131f7b5b0d4005a5f1264332bbf464b45fcc4bcb6d5f6c43" +
            "04220a5961510e72677e0d3339946e4f9592160ac17cef9e822009b7d5488b50c2a0fcefdb8209f9443b3ed9d85308cf1d546c9f08b31b81e9ad5cd8f5a039ee" +
            "aa3b072ef6d6d1e5fde377404d08f8e1bfcee49eb8622bb86c2db6139c428e9452a788a9c62bbcee8d2939245db7458b7e18fa8fdf35a8df7b5351db8a806ac8",
            Convert.ToHexStringLower(ks));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Katzenpost_blinding_factor(string path)
    {
        // Katzenpost: blinding factor = ChaCha20(key = okm[128:160], 8-byte zero nonce, counter 0) keystream[0:32].
        using var doc = JsonDocument.Parse(VectorFiles.Read("sphinx/katzenpost_primitive_kats.json"));
        var kdf = doc.RootElement.GetProperty("kdf");
        var okm = new byte[160];
        HkdfSha256.Expand(
            Convert.FromHexString(kdf.GetProperty("ikm_shared_secret").GetString()!),
            Encoding.ASCII.GetBytes(kdf.GetProperty("info_ascii").GetString()!),
            okm);
        var ks = new byte[32];
        PathOf(path)(okm.AsSpan(128, 32), new byte[8], 0, ks);
        Assert.Equal(kdf.GetProperty("blinding_factor").GetString(), Convert.ToHexStringLower(ks));
    }

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        foreach (var n in new[] { 0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 191, 200, 256, 1000 })
        {
            data.Add(n);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Vector_and_scalar_agree_and_stream_is_seekable(int length)
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 29 + 5)).ToArray();
        foreach (var nonce in new[] { Convert.FromHexString("a1a2a3a4a5a6a7a8"), Convert.FromHexString("b1b2b3b4b5b6b7b8b9babbbc") })
        {
            var v = new byte[length];
            var s = new byte[length];
            ChaCha20.KeystreamVector128(key, nonce, 7, v);
            ChaCha20.KeystreamScalar(key, nonce, 7, s);
            Assert.Equal(s, v);

            // Partial outputs are prefixes; starting at counter 7+k equals skipping k blocks.
            var full = new byte[length + 128];
            ChaCha20.Keystream(key, nonce, 5, full);
            Assert.Equal(full.AsSpan(128, length).ToArray(), v);
        }
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentException>(() => ChaCha20.Keystream(new byte[31], new byte[8], 0, new byte[64]));
        Assert.Throws<ArgumentException>(() => ChaCha20.Keystream(new byte[33], new byte[8], 0, new byte[64]));
        Assert.Throws<ArgumentException>(() => ChaCha20.Keystream(new byte[32], new byte[0], 0, new byte[64]));
        Assert.Throws<ArgumentException>(() => ChaCha20.Keystream(new byte[32], new byte[16], 0, new byte[64]));
        Assert.Throws<ArgumentException>(() => ChaCha20.Keystream(new byte[32], new byte[24], 0, new byte[64]));

        // RFC 8439's 32-bit counter must not wrap.
        Assert.Throws<ArgumentException>(() => ChaCha20.Keystream(new byte[32], new byte[12], 1UL << 32, new byte[1]));
        Assert.Throws<ArgumentException>(() => ChaCha20.Keystream(new byte[32], new byte[12], uint.MaxValue, new byte[65]));
        ChaCha20.Keystream(new byte[32], new byte[12], uint.MaxValue, new byte[64]); // last block is fine
    }
}
