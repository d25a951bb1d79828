using System.Buffers.Binary;
using System.Security.Cryptography;
using Mixnode.Noise.Internal;

namespace Mixnode.Noise.Tests;

/// <summary>Nonces, rekeying and the primitives themselves, checked against .NET's own AEADs, hashes and HMACs.</summary>
public sealed class CipherStateTests
{
    [Fact]
    public void Nonce_2_to_the_64_minus_1_is_never_used()
    {
        using var pair = new NoisePair(NoiseProtocol.XX25519ChaChaPolyBlake2b);
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => []).Result);
        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        initiator.SendCipher!.Nonce = ulong.MaxValue - 1;
        responder.ReceiveCipher!.Nonce = ulong.MaxValue - 1;
        var ciphertext = new byte[20];
        var plaintext = new byte[4];
        Assert.Equal(NoiseResult.Ok, initiator.Encrypt([1, 2, 3, 4], ciphertext));
        Assert.Equal(NoiseResult.Ok, responder.Decrypt(ciphertext, plaintext));
        Assert.Equal(NoiseResult.NonceExhausted, initiator.Encrypt([1, 2, 3, 4], ciphertext));
        Assert.Equal(NoiseResult.NonceExhausted, responder.Decrypt(ciphertext, plaintext));

        // Rekeying does not reset the nonce (spec §11.3).
        initiator.RekeySend();
        Assert.Equal(NoiseResult.NonceExhausted, initiator.Encrypt([1, 2, 3, 4], ciphertext));
    }

    [Theory]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_NN_25519_AESGCM_SHA256")]
    public void Rekey_keeps_both_sides_in_sync(string name)
    {
        using var pair = new NoisePair(NoiseProtocol.Parse(name));
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => []).Result);
        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        var ciphertext = new byte[21];
        var plaintext = new byte[5];
        byte[] message = [5, 4, 3, 2, 1];
        for (int round = 0; round < 5; round++)
        {
            Assert.Equal(NoiseResult.Ok, initiator.Encrypt(message, ciphertext));
            Assert.Equal(NoiseResult.Ok, responder.Decrypt(ciphertext, plaintext));
            Assert.Equal(NoiseResult.Ok, responder.Encrypt(message, ciphertext));
            Assert.Equal(NoiseResult.Ok, initiator.Decrypt(ciphertext, plaintext));
            initiator.RekeySend();
            responder.RekeyReceive();
            if (round % 2 == 1)
            {
                responder.RekeySend();
                initiator.RekeyReceive();
            }
        }

        // One side rekeys alone: its messages no longer decrypt.
        initiator.RekeySend();
        Assert.Equal(NoiseResult.Ok, initiator.Encrypt(message, ciphertext));
        Assert.Equal(NoiseResult.DecryptFailed, responder.Decrypt(ciphertext, plaintext));
    }

    [Theory]
    [InlineData("ChaChaPoly")]
    [InlineData("ChaChaPoly-libsodium")]
    [InlineData("AESGCM")]
    public void Cipher_state_matches_dotnet_aead_including_rekey(string implementation)
    {
        NoiseCipherFunction function = implementation == "AESGCM" ? NoiseCipherFunction.AesGcm : NoiseCipherFunction.ChaChaPoly;
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] ad = RandomNumberGenerator.GetBytes(20);
        byte[] plaintext = RandomNumberGenerator.GetBytes(77);
        using var state = implementation == "ChaChaPoly-libsodium" ? new CipherState(new SodiumChaChaPolyKey()) : new CipherState(function);
        state.InitializeKey(key);
        state.Nonce = 0x0102030405060708;
        var actual = new byte[plaintext.Length + 16];
        Assert.Equal(NoiseResult.Ok, state.EncryptWithAd(ad, plaintext, actual));
        Assert.Equal(Reference(function, key, 0x0102030405060708, ad, plaintext), actual);

        // REKEY(k) = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zeros).
        byte[] rekeyed = Reference(function, key, ulong.MaxValue, [], new byte[32])[..32];
        state.Rekey();
        Assert.Equal(NoiseResult.Ok, state.EncryptWithAd(ad, plaintext, actual));
        Assert.Equal(Reference(function, rekeyed, 0x0102030405060709, ad, plaintext), actual);

        // Decryption, in place, and a failed tag that leaves the nonce where it was.
        using var receiver = implementation == "ChaChaPoly-libsodium" ? new CipherState(new SodiumChaChaPolyKey()) : new CipherState(function);
        receiver.InitializeKey(rekeyed);
        receiver.Nonce = 0x0102030405060709;
        actual[5] ^= 1;
        Assert.Equal(NoiseResult.DecryptFailed, receiver.DecryptWithAd(ad, actual, new byte[77]));
        actual[5] ^= 1;
        Assert.Equal(NoiseResult.Ok, receiver.DecryptWithAd(ad, actual, actual));
        Assert.Equal(plaintext, actual[..77]);
        Assert.Equal(0x010203040506070aUL, receiver.Nonce);
    }

    [Theory]
    [InlineData(NoiseHashFunction.Sha256)]
    [InlineData(NoiseHashFunction.Sha512)]
    public void Hash_and_hmac_match_dotnet(NoiseHashFunction function)
    {
        using var hasher = new NoiseHasher(function);
        byte[] a = RandomNumberGenerator.GetBytes(100);
        byte[] b = RandomNumberGenerator.GetBytes(300);
        byte[] key = RandomNumberGenerator.GetBytes(hasher.HashLength);
        var output = new byte[hasher.HashLength];
        hasher.Hash(a, b, output);
        byte[] all = [.. a, .. b];
        Assert.Equal(function == NoiseHashFunction.Sha256 ? SHA256.HashData(all) : SHA512.HashData(all), output);
        NoiseKdf.Hmac(hasher, key, a, b, output);
        Assert.Equal(function == NoiseHashFunction.Sha256 ? HMACSHA256.HashData(key, all) : HMACSHA512.HashData(key, all), output);
    }

    private static byte[] Reference(NoiseCipherFunction function, byte[] key, ulong n, byte[] ad, byte[] plaintext)
    {
        var nonce = new byte[12];
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        if (function == NoiseCipherFunction.ChaChaPoly)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(nonce.AsSpan(4), n);
            using var chacha = new ChaCha20Poly1305(key);
            chacha.Encrypt(nonce, plaintext, ciphertext, tag, ad);
        }
        else
        {
            BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), n);
            using var aes = new AesGcm(key, 16);
            aes.Encrypt(nonce, plaintext, ciphertext, tag, ad);
        }

        return [.. ciphertext, .. tag];
    }
}
