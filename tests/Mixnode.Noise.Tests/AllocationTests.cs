namespace Mixnode.Noise.Tests;

/// <summary>Transport messages allocate nothing once the session exists.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_XX_25519_AESGCM_SHA256")]
    public void Transport_encrypt_and_decrypt_allocate_nothing(string name)
    {
        using var pair = new NoisePair(NoiseProtocol.Parse(name));
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => []).Result);
        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        var plaintext = new byte[3100];
        var ciphertext = new byte[plaintext.Length + NoiseTransport.TagSize];
        var received = new byte[plaintext.Length];

        bool RoundTrips(int count)
        {
            bool ok = true;
            for (int i = 0; i < count; i++)
            {
                ok &= initiator.Encrypt(plaintext, ciphertext) == NoiseResult.Ok;
                ok &= responder.Decrypt(ciphertext, received) == NoiseResult.Ok;
                ok &= responder.Encrypt(received, ciphertext) == NoiseResult.Ok;
                ok &= initiator.Decrypt(ciphertext, plaintext) == NoiseResult.Ok;
            }

            return ok;
        }

        Assert.True(RoundTrips(1000));
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok = RoundTrips(5000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(ok);
        Assert.Equal(0, allocated);
    }
}
