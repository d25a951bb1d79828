using System.Security.Cryptography;
using System.Text.Json;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>Expected values: NIST SP 800-38A, the Katzenpost KAT file, and (counter carries) OpenSSL via Python cryptography.</summary>
public class Aes256CtrTests
{
    public delegate void XorFn(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output);

    public delegate void KeystreamFn(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> output);

    public static TheoryData<string> Paths => new() { "public", "aesni", "fallback" };

    private static XorFn XorOf(string path) => path switch
    {
        "public" => Aes256Ctr.Xor,
        "aesni" => Aes256Ctr.XorAesNi,
        "fallback" => Aes256Ctr.XorFallback,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    private static KeystreamFn KeystreamOf(string path) => path switch
    {
        "public" => Aes256Ctr.Keystream,
        "aesni" => Aes256Ctr.KeystreamAesNi,
        "fallback" => Aes256Ctr.KeystreamFallback,
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    private static readonly byte[] Key0To31 = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    private static byte[] Keystream(string path, byte[] key, byte[] iv, int length)
    {
        var ks = new byte[length];
        KeystreamOf(path)(key, iv, ks);
        return ks;
    }

    [Fact]
    public void AesNi_path_is_used_on_this_machine() => Assert.True(Aes256Ctr.UsesAesNi);

    [Theory]
    [MemberData(nameof(Paths))]
    public void Nist_sp800_38a_f_5_5_ctr_aes256_encrypt(string path)
    {
        var key = Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        var iv = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        var plaintext = Convert.FromHexString(
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51" +
            "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        var ciphertext = new byte[64];
        XorOf(path)(key, iv, plaintext, ciphertext);
        Assert.Equal(
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5" +
            "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6",
            Convert.ToHexStringLower(ciphertext));

        // Decryption is the same operation.
        var decrypted = new byte[64];
        XorOf(path)(key, iv, ciphertext, decrypted);
        Assert.Equal(plaintext, decrypted);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Katzenpost_kat_first_and_second_1024_bytes(string path)
    {
        using var doc = JsonDocument.Parse(VectorFiles.Read("sphinx/katzenpost_primitive_kats.json"));
        var kat = doc.RootElement.GetProperty("stream_aes256ctr");
        var key = Convert.FromHexString(kat.GetProperty("key").GetString()!);
        var iv = Convert.FromHexString(kat.GetProperty("iv").GetString()!);

        var ks = Keystream(path, key, iv, 2048);
        Assert.Equal(kat.GetProperty("keystream_first_1024").GetString(), Convert.ToHexStringLower(ks.AsSpan(0, 1024)));

        // note_second: "xor of keystream bytes[0:1024] and keystream bytes[1024:2048]".
        var xored = new byte[1024];
        for (var i = 0; i < 1024; i++)
        {
            xored[i] = (byte)(ks[i] ^ ks[1024 + i]);
        }

        Assert.Equal(kat.GetProperty("second_1024_xor").GetString(), Convert.ToHexStringLower(xored));

        // The same via Xor: encrypting the first 1024 keystream bytes with the stream yields the second_1024_xor only
        // if aligned at 1024, so check Xor of zeros equals the keystream instead.
        var viaXor = new byte[2048];
        XorOf(path)(key, iv, new byte[2048], viaXor);
        Assert.Equal(ks, viaXor);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Counter_carries_from_low_64_bits_into_byte_7(string path)
    {
        // iv = 00..00 ff ff ff ff ff ff ff ff: block 1 is 00..01 00..00. OpenSSL (Python cryptography) reference.
        var iv = Convert.FromHexString("0000000000000000ffffffffffffffff");
        Assert.Equal(
            "a6fbdb5cfde07d1b58fd362177bcffdf511dd5ef9a682b7da49f91c86c4f7ac340c53cef92ef2d643f638b8222db1e85",
            Convert.ToHexStringLower(Keystream(path, Key0To31, iv, 48)));

        // Block 1 equals the keystream that starts at counter 00..01 00..00.
        var block1 = Keystream(path, Key0To31, Convert.FromHexString("00000000000000010000000000000000"), 16);
        Assert.Equal(Keystream(path, Key0To31, iv, 32).AsSpan(16).ToArray(), block1);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Counter_wraps_modulo_2_128(string path)
    {
        var iv = Convert.FromHexString("ffffffffffffffffffffffffffffffff");
        Assert.Equal(
            "e999e41d4ca770da5387117b5d8f57eef29000b62a499fd0a9f39a6add2e7780f05d76ae4ab99fe5a6f69b3148c2363d",
            Convert.ToHexStringLower(Keystream(path, Key0To31, iv, 48)));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Carry_in_the_middle_of_an_interleaved_group(string path)
    {
        // iv low half = ff..fb, high half = 00..01: the carry happens at block 5 of the first 8-block group.
        var iv = Convert.FromHexString("0000000000000001fffffffffffffffb");
        Assert.Equal(
            "a412c6ad4a8157f9dad3629dd8cb28fd3e826d84ba89ac13dbeb465af56cef53",
            Convert.ToHexStringLower(SHA256.HashData(Keystream(path, Key0To31, iv, 300))));
    }

    [Fact]
    public void Fast_and_fallback_agree_for_every_length_0_to_300_and_near_carries()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)(i * 11 + 7)).ToArray();
        var ivs = new[]
        {
            Convert.FromHexString("000102030405060708090a0b0c0d0e0f"),
            Convert.FromHexString("0000000000000000fffffffffffffffe"),
            Convert.FromHexString("00000000000000fffffffffffffffff9"),
            Convert.FromHexString("fffffffffffffffffffffffffffffffd"),
        };
        foreach (var iv in ivs)
        {
            for (var n = 0; n <= 300; n++)
            {
                var input = Enumerable.Range(0, n).Select(i => (byte)(i * 31)).ToArray();
                var fast = new byte[n];
                var slow = new byte[n];
                Aes256Ctr.XorAesNi(key, iv, input, fast);
                Aes256Ctr.XorFallback(key, iv, input, slow);
                Assert.Equal(slow, fast);

                var ks = Keystream("aesni", key, iv, n);
                Assert.Equal(input.Select((b, i) => (byte)(b ^ ks[i])).ToArray(), fast);
            }
        }
    }

    public static TheoryData<string, int> PathsAndLengths()
    {
        var data = new TheoryData<string, int>();
        foreach (var path in new[] { "public", "aesni", "fallback" })
        {
            for (var n = 0; n <= 100; n++)
            {
                data.Add(path, n);
            }

            foreach (var n in new[] { 127, 129, 255, 257, 491, 492, 493, 1023, 1025 })
            {
                data.Add(path, n);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndLengths))]
    public void In_place_equals_out_of_place_and_is_a_keystream_prefix(string path, int length)
    {
        var iv = Convert.FromHexString("ff03c942f5c95a5eca94b1047a6e327e");
        var input = Enumerable.Range(0, length).Select(i => (byte)(i ^ 0x5a)).ToArray();

        var outOfPlace = new byte[length];
        XorOf(path)(Key0To31, iv, input, outOfPlace);

        var inPlace = (byte[])input.Clone();
        XorOf(path)(Key0To31, iv, inPlace, inPlace);
        Assert.Equal(outOfPlace, inPlace);

        var ks = Keystream(path, Key0To31, iv, length + 17);
        Assert.Equal(input.Select((b, i) => (byte)(b ^ ks[i])).ToArray(), outOfPlace);
    }

    [Fact]
    public void Rejects_bad_arguments()
    {
        var key = new byte[32];
        var iv = new byte[16];
        Assert.Throws<ArgumentException>(() => Aes256Ctr.Xor(new byte[16], iv, new byte[8], new byte[8]));
        Assert.Throws<ArgumentException>(() => Aes256Ctr.Xor(new byte[24], iv, new byte[8], new byte[8]));
        Assert.Throws<ArgumentException>(() => Aes256Ctr.Xor(key, new byte[12], new byte[8], new byte[8]));
        Assert.Throws<ArgumentException>(() => Aes256Ctr.Xor(key, iv, new byte[8], new byte[9]));
        Assert.Throws<ArgumentException>(() => Aes256Ctr.Keystream(new byte[31], iv, new byte[8]));
        Assert.Throws<ArgumentException>(() => Aes256Ctr.Keystream(key, new byte[17], new byte[8]));

        // Partially overlapping input/output is a caller bug (in place, offset 0, is allowed).
        var buffer = new byte[64];
        Assert.Throws<ArgumentException>(() => Aes256Ctr.Xor(key, iv, buffer.AsSpan(0, 32), buffer.AsSpan(16, 32)));
    }
}
