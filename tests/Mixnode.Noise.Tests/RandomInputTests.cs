using FsCheck.Xunit;

namespace Mixnode.Noise.Tests;

/// <summary>Whatever bytes a peer sends, the handshake and transport answer with a result and never throw.</summary>
public sealed class RandomInputTests
{
    private static readonly NoiseProtocol[] s_protocols =
    [
        NoiseProtocol.XX25519ChaChaPolyBlake2b,
        NoiseProtocol.Parse("Noise_IK_25519_ChaChaPoly_SHA256"),
        NoiseProtocol.Parse("Noise_NN_25519_AESGCM_BLAKE2b"),
        NoiseProtocol.Parse("Noise_X_25519_ChaChaPoly_SHA512"),
    ];

    [Property(MaxTest = 500)]
    public bool Random_first_messages_never_throw(byte which, byte[] message)
    {
        using var pair = new NoisePair(s_protocols[which % s_protocols.Length]);
        NoiseResult result = pair.Responder.ReadMessage(message ?? [], new byte[HandshakeState.MaxMessageSize], out int read);
        return Enum.IsDefined(result) && (result == NoiseResult.Ok || read == 0);
    }

    [Property(MaxTest = 300)]
    public bool Random_second_messages_never_throw(byte[] message)
    {
        using var pair = new NoisePair(NoiseProtocol.XX25519ChaChaPolyBlake2b);
        var buffer = new byte[100];
        pair.Initiator.WriteMessage([], buffer, out _);
        NoiseResult result = pair.Initiator.ReadMessage(message ?? [], new byte[HandshakeState.MaxMessageSize], out _);
        return result is NoiseResult.MessageTooShort or NoiseResult.DecryptFailed or NoiseResult.InvalidPublicKey;
    }

    [Property(MaxTest = 300)]
    public bool Random_transport_messages_are_refused(byte[] message)
    {
        using var pair = new NoisePair(NoiseProtocol.XX25519ChaChaPolyBlake2b);
        pair.Handshake(_ => []);
        using NoiseTransport responder = pair.Responder.Split();
        NoiseResult result = responder.Decrypt(message ?? [], new byte[NoiseTransport.MaxMessageSize]);
        return result is NoiseResult.MessageTooShort or NoiseResult.DecryptFailed;
    }
}
