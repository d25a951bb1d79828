using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Mixnode.Noise.Tests;

/// <summary>Random protocols and payloads: both sides agree, payloads arrive, transport round-trips both ways.</summary>
public sealed class HandshakePropertyTests
{
    private static readonly string[] s_patterns = HandshakePattern.All.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
    private static readonly string[] s_ciphers = ["ChaChaPoly", "AESGCM"];
    private static readonly string[] s_hashes = ["BLAKE2b", "SHA256", "SHA512"];

    [Property(MaxTest = 200)]
    public Property Any_handshake_then_transport_round_trips(byte pattern, bool aes, byte hash, byte[] prologue, byte[][] payloads, byte[][] transport)
    {
        string name = $"Noise_{s_patterns[pattern % s_patterns.Length]}_25519_{s_ciphers[aes ? 1 : 0]}_{s_hashes[hash % s_hashes.Length]}";
        NoiseProtocol protocol = NoiseProtocol.Parse(name);
        using var pair = new NoisePair(protocol, prologue ?? []);
        byte[] Payload(int i) => payloads is { Length: > 0 } ? payloads[i % payloads.Length] ?? [] : [];

        (NoiseResult result, _) = pair.Handshake(Payload);
        bool handshake = result == NoiseResult.Ok
            && pair.Initiator.HandshakeHash.SequenceEqual(pair.Responder.HandshakeHash)
            && (!protocol.Pattern.UsesLocalStatic(true) || pair.Responder.RemoteStaticPublicKey.SequenceEqual(pair.InitiatorPublic))
            && (!protocol.Pattern.UsesLocalStatic(false) || pair.Initiator.RemoteStaticPublicKey.SequenceEqual(pair.ResponderPublic));

        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        bool roundTrips = true;
        var ciphertext = new byte[NoiseTransport.MaxMessageSize];
        var plaintext = new byte[NoiseTransport.MaxMessageSize];
        for (int i = 0; i < (transport?.Length ?? 0); i++)
        {
            byte[] message = transport![i] ?? [];
            bool fromInitiator = protocol.Pattern.IsOneWay || i % 2 == 0;
            (NoiseTransport sender, NoiseTransport receiver) = fromInitiator ? (initiator, responder) : (responder, initiator);
            roundTrips &= sender.Encrypt(message, ciphertext) == NoiseResult.Ok
                && receiver.Decrypt(ciphertext.AsSpan(0, message.Length + NoiseTransport.TagSize), plaintext) == NoiseResult.Ok
                && plaintext.AsSpan(0, message.Length).SequenceEqual(message);
        }

        return (handshake && roundTrips).Label(name);
    }

    [Theory]
    [InlineData("Noise_XX_25519_ChaChaPoly_BLAKE2b")]
    [InlineData("Noise_NN_25519_AESGCM_SHA256")]
    [InlineData("Noise_IK_25519_ChaChaPoly_SHA512")]
    [InlineData("Noise_N_25519_ChaChaPoly_BLAKE2b")]
    public void Transport_works_in_place(string name)
    {
        using var pair = new NoisePair(NoiseProtocol.Parse(name));
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => "hello"u8.ToArray()).Result);
        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        byte[] buffer = new byte[100 + NoiseTransport.TagSize];
        byte[] original = new byte[100];
        Random.Shared.NextBytes(original);
        original.CopyTo(buffer, 0);
        Assert.Equal(NoiseResult.Ok, initiator.Encrypt(buffer.AsSpan(0, 100), buffer));
        Assert.False(buffer.AsSpan(0, 100).SequenceEqual(original));
        Assert.Equal(NoiseResult.Ok, responder.Decrypt(buffer, buffer));
        Assert.Equal(original, buffer[..100]);
        Assert.Throws<ArgumentException>(() => initiator.Encrypt(buffer.AsSpan(0, 50), buffer.AsSpan(1)));
    }

    [Fact]
    public void One_way_transport_only_flows_from_initiator()
    {
        using var pair = new NoisePair(NoiseProtocol.Parse("Noise_X_25519_ChaChaPoly_BLAKE2b"));
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => []).Result);
        using NoiseTransport initiator = pair.Initiator.Split();
        using NoiseTransport responder = pair.Responder.Split();
        Assert.True(initiator.CanSend);
        Assert.False(initiator.CanReceive);
        Assert.False(responder.CanSend);
        Assert.Equal(NoiseResult.WrongTurn, responder.Encrypt([1], new byte[17]));
        Assert.Equal(NoiseResult.WrongTurn, initiator.Decrypt(new byte[17], new byte[1]));
    }

    [Fact]
    public void The_static_key_object_gives_the_same_handshake_as_raw_bytes()
    {
        using var key = Mixnode.Sphinx.Crypto.X25519PrivateKey.Generate();
        using var peer = Mixnode.Sphinx.Crypto.X25519PrivateKey.Generate();
        NoiseProtocol xx = NoiseProtocol.XX25519ChaChaPolyBlake2b;
        using var initiator = new HandshakeState(xx, true, [], key, []);
        byte[] peerPrivate = new byte[32];
        peer.ExportPrivateKey(peerPrivate);
        using var responder = new HandshakeState(xx, false, [], peerPrivate, []);
        var buffer = new byte[200];
        var payload = new byte[200];
        Assert.Equal(NoiseResult.Ok, initiator.WriteMessage([], buffer, out int n));
        Assert.Equal(NoiseResult.Ok, responder.ReadMessage(buffer.AsSpan(0, n), payload, out _));
        Assert.Equal(NoiseResult.Ok, responder.WriteMessage([], buffer, out n));
        Assert.Equal(NoiseResult.Ok, initiator.ReadMessage(buffer.AsSpan(0, n), payload, out _));
        Assert.Equal(NoiseResult.Ok, initiator.WriteMessage([], buffer, out n));
        Assert.Equal(NoiseResult.Ok, responder.ReadMessage(buffer.AsSpan(0, n), payload, out _));
        Assert.True(responder.RemoteStaticPublicKey.SequenceEqual(key.PublicKey));
        Assert.True(initiator.RemoteStaticPublicKey.SequenceEqual(peer.PublicKey));
        Assert.True(initiator.HandshakeHash.SequenceEqual(responder.HandshakeHash));
    }
}
