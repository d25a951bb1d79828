namespace Mixnode.Noise.Tests;

/// <summary>Changing any byte of any handshake or transport message makes the session fail, never silently succeed.</summary>
public sealed class TamperingTests
{
    public static TheoryData<string> Protocols() =>
    [
        "Noise_XX_25519_ChaChaPoly_BLAKE2b",
        "Noise_NN_25519_ChaChaPoly_SHA256",
        "Noise_IK_25519_AESGCM_BLAKE2b",
        "Noise_KK_25519_ChaChaPoly_SHA512",
        "Noise_XK_25519_ChaChaPoly_BLAKE2b",
        "Noise_N_25519_ChaChaPoly_BLAKE2b",
        "Noise_X_25519_AESGCM_SHA256",
    ];

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Any_changed_handshake_byte_fails_the_session(string name)
    {
        NoiseProtocol protocol = NoiseProtocol.Parse(name);
        byte[] Payload(int i) => [(byte)i, 1, 2, 3, 4, 5, 6, 7];
        int[] lengths = MessageLengths(protocol, Payload);
        for (int message = 0; message < lengths.Length; message++)
        {
            for (int at = 0; at < lengths[message]; at++)
            {
                int target = message;
                int position = at;
                using var pair = new NoisePair(protocol);
                (NoiseResult result, int step) = pair.Handshake(Payload, (i, m) =>
                {
                    if (i == target)
                    {
                        m[position] ^= 0x01;
                    }

                    return m;
                });
                bool failed = result != NoiseResult.Ok || !TransportWorks(protocol, pair);
                Assert.True(failed, $"message {message} byte {at}: the session still worked");
                if (result != NoiseResult.Ok)
                {
                    Assert.True(step >= message);
                    Assert.Contains(result, new[] { NoiseResult.DecryptFailed, NoiseResult.InvalidPublicKey });
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public void Any_changed_transport_byte_fails_and_the_genuine_message_still_decrypts(string name)
    {
        using var pair = new NoisePair(NoiseProtocol.Parse(name));
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => []).Result);
        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        byte[] plaintext = "a transport message of some length"u8.ToArray();
        var ciphertext = new byte[plaintext.Length + NoiseTransport.TagSize];
        var output = new byte[plaintext.Length];
        Assert.Equal(NoiseResult.Ok, initiator.Encrypt(plaintext, ciphertext));
        for (int at = 0; at < ciphertext.Length; at++)
        {
            for (int bit = 0; bit < 8; bit++)
            {
                byte[] tampered = (byte[])ciphertext.Clone();
                tampered[at] ^= (byte)(1 << bit);
                Assert.Equal(NoiseResult.DecryptFailed, responder.Decrypt(tampered, output));
            }
        }

        Assert.Equal(NoiseResult.DecryptFailed, responder.Decrypt(ciphertext.AsSpan(0, ciphertext.Length - 1), output));
        Assert.Equal(NoiseResult.MessageTooShort, responder.Decrypt(ciphertext.AsSpan(0, 15), output));
        Assert.Equal(NoiseResult.Ok, responder.Decrypt(ciphertext, output));
        Assert.Equal(plaintext, output);

        // Replaying the same ciphertext fails: the nonce moved on.
        Assert.Equal(NoiseResult.DecryptFailed, responder.Decrypt(ciphertext, output));
    }

    private static int[] MessageLengths(NoiseProtocol protocol, Func<int, byte[]> payload)
    {
        var lengths = new List<int>();
        using var pair = new NoisePair(protocol);
        Assert.Equal(NoiseResult.Ok, pair.Handshake(payload, (_, m) =>
        {
            lengths.Add(m.Length);
            return m;
        }).Result);
        Assert.Equal(protocol.Pattern.MessageCount, lengths.Count);
        return [.. lengths];
    }

    private static bool TransportWorks(NoiseProtocol protocol, NoisePair pair)
    {
        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        var ciphertext = new byte[3 + NoiseTransport.TagSize];
        var plaintext = new byte[3];
        bool forward = initiator.Encrypt([1, 2, 3], ciphertext) == NoiseResult.Ok && responder.Decrypt(ciphertext, plaintext) == NoiseResult.Ok;
        bool backward = protocol.Pattern.IsOneWay
            || (responder.Encrypt([1, 2, 3], ciphertext) == NoiseResult.Ok && initiator.Decrypt(ciphertext, plaintext) == NoiseResult.Ok);
        return forward && backward;
    }
}
