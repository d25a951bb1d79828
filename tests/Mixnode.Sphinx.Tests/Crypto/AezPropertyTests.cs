using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mixnode.Sphinx.Crypto;
using Xunit;

namespace Mixnode.Sphinx.Tests.Crypto;

/// <summary>A random Katzenpost-profile input: 48-byte key, 16-byte nonce, message of 0..4096 bytes.</summary>
public sealed record AezProfileCase(byte[] Key, byte[] Nonce, byte[] Message, int FlipBit)
{
    public override string ToString() =>
        $"key={Convert.ToHexStringLower(Key)} nonce={Convert.ToHexStringLower(Nonce)} |m|={Message.Length} flip={FlipBit}";
}

public static class AezArbitraries
{
    // Bytes come from a seeded Random rather than one generator per byte: 4 KB messages stay cheap to generate.
    public static Arbitrary<AezProfileCase> ProfileCase() =>
        Gen.Frequency(
                (2, Gen.Choose(0, 64)),
                (1, Gen.Choose(65, 600)),
                (2, Gen.Choose(601, 4096)))
            .SelectMany(
                length => Gen.Choose(0, int.MaxValue),
                (length, seed) =>
                {
                    var rng = new Random(seed);
                    byte[] key = new byte[Aez.KeySize], nonce = new byte[Aez.NonceSize], message = new byte[length];
                    rng.NextBytes(key);
                    rng.NextBytes(nonce);
                    rng.NextBytes(message);
                    return new AezProfileCase(key, nonce, message, length == 0 ? 0 : rng.Next(length * 8));
                })
            .ToArbitrary();
}

/// <summary>Properties of the public profile API (AES-NI path here) and agreement of the two backends.</summary>
public sealed class AezPropertyTests
{
    [Property(Arbitrary = [typeof(AezArbitraries)], MaxTest = 300)]
    public void Decrypt_inverts_Encrypt_and_in_place_equals_out_of_place(AezProfileCase c)
    {
        byte[] ciphertext = new byte[c.Message.Length];
        Aez.Encrypt(c.Key, c.Nonce, c.Message, ciphertext);

        byte[] inPlace = (byte[])c.Message.Clone();
        Aez.Encrypt(c.Key, c.Nonce, inPlace, inPlace);
        Assert.Equal(ciphertext, inPlace);

        byte[] decrypted = new byte[ciphertext.Length];
        Aez.Decrypt(c.Key, c.Nonce, ciphertext, decrypted);
        Assert.Equal(c.Message, decrypted);

        Aez.Decrypt(c.Key, c.Nonce, inPlace, inPlace);
        Assert.Equal(c.Message, inPlace);

        if (c.Message.Length >= 16)
        {
            Assert.NotEqual(c.Message, ciphertext); // equal only with probability 2^-128
        }
    }

    [Property(Arbitrary = [typeof(AezArbitraries)], MaxTest = 300)]
    public void Flipping_any_ciphertext_bit_scrambles_the_whole_decryption(AezProfileCase c)
    {
        int n = c.Message.Length;
        if (n == 0)
        {
            return;
        }

        byte[] ciphertext = new byte[n];
        Aez.Encrypt(c.Key, c.Nonce, c.Message, ciphertext);
        ciphertext[c.FlipBit / 8] ^= (byte)(0x80 >> (c.FlipBit % 8));
        byte[] decrypted = new byte[n];
        Aez.Decrypt(c.Key, c.Nonce, ciphertext, decrypted);

        // A permutation: some byte must differ, for every length.
        Assert.NotEqual(c.Message, decrypted);
        if (n < 32)
        {
            return;
        }

        // Wide block: the leading 32 bytes, the trailing M_x ‖ M_y and every full 16-byte block before the
        // tail all change (each one stays equal only with probability 2^-128).
        Assert.False(c.Message.AsSpan(0, 32).SequenceEqual(decrypted.AsSpan(0, 32)), "leading 32 bytes unchanged");
        for (int at = 0; at + 16 <= n - 32; at += 16)
        {
            Assert.False(c.Message.AsSpan(at, 16).SequenceEqual(decrypted.AsSpan(at, 16)), $"block at {at} unchanged");
        }

        Assert.False(c.Message.AsSpan(n - 32, 16).SequenceEqual(decrypted.AsSpan(n - 32, 16)), "M_x unchanged");
        Assert.False(c.Message.AsSpan(n - 16, 16).SequenceEqual(decrypted.AsSpan(n - 16, 16)), "M_y unchanged");
    }

    [Property(Arbitrary = [typeof(AezArbitraries)], MaxTest = 60)]
    public void Portable_backend_agrees_with_AES_NI(AezProfileCase c)
    {
        byte[] hardware = new byte[c.Message.Length], portable = new byte[c.Message.Length];
        AezEngine<AezHardwareRound>.Profile(c.Key, c.Nonce, c.Message, hardware, decipher: false);
        AezEngine<AezPortableRound>.Profile(c.Key, c.Nonce, c.Message, portable, decipher: false);
        Assert.Equal(hardware, portable);
        AezEngine<AezPortableRound>.Profile(c.Key, c.Nonce, portable, portable, decipher: true);
        Assert.Equal(c.Message, portable);
    }

    [Property(Arbitrary = [typeof(AezArbitraries)], MaxTest = 100)]
    public void General_API_with_profile_parameters_equals_profile_API(AezProfileCase c)
    {
        byte[] profile = new byte[c.Message.Length];
        Aez.Encrypt(c.Key, c.Nonce, c.Message, profile);
        Assert.Equal(profile, Aez.Encrypt(c.Key, c.Nonce, null, 0, c.Message));
        Assert.True(Aez.TryDecrypt(c.Key, c.Nonce, [], 0, profile, out byte[]? message));
        Assert.Equal(c.Message, message);
    }
}
