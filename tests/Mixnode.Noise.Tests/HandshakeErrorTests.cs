namespace Mixnode.Noise.Tests;

/// <summary>Wrong turns, short buffers and bad messages are results, leave the state usable where the spec allows, and never throw.</summary>
public sealed class HandshakeErrorTests
{
    private static readonly NoiseProtocol s_xx = NoiseProtocol.XX25519ChaChaPolyBlake2b;

    [Fact]
    public void Writing_or_reading_out_of_turn_is_WrongTurn()
    {
        using var pair = new NoisePair(s_xx);
        var buffer = new byte[1000];
        Assert.True(pair.Initiator.IsMyTurn);
        Assert.False(pair.Responder.IsMyTurn);
        Assert.Equal(NoiseResult.WrongTurn, pair.Responder.WriteMessage([], buffer, out int written));
        Assert.Equal(0, written);
        Assert.Equal(NoiseResult.WrongTurn, pair.Initiator.ReadMessage(new byte[32], buffer, out _));

        // The wrong-turn calls changed nothing: the handshake still completes.
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => []).Result);
        Assert.Equal(NoiseResult.HandshakeComplete, pair.Initiator.WriteMessage([], buffer, out _));
        Assert.Equal(NoiseResult.HandshakeComplete, pair.Responder.ReadMessage(buffer, buffer, out _));
    }

    [Fact]
    public void A_small_message_buffer_is_BufferTooSmall_and_changes_nothing()
    {
        using var pair = new NoisePair(s_xx);
        byte[] payload = new byte[10];
        Assert.Equal(NoiseResult.BufferTooSmall, pair.Initiator.WriteMessage(payload, new byte[41], out int written));
        Assert.Equal(0, written);
        var message = new byte[42];
        Assert.Equal(NoiseResult.Ok, pair.Initiator.WriteMessage(payload, message, out written));
        Assert.Equal(42, written);

        // Reading with too small a payload buffer changes nothing either.
        Assert.Equal(NoiseResult.BufferTooSmall, pair.Responder.ReadMessage(message, new byte[9], out _));
        Assert.Equal(NoiseResult.Ok, pair.Responder.ReadMessage(message, new byte[10], out int read));
        Assert.Equal(10, read);

        // Second message: e (32) + encrypted s (48) + payload tag (16).
        Assert.Equal(NoiseResult.BufferTooSmall, pair.Responder.WriteMessage([], new byte[95], out _));
        var second = new byte[96];
        Assert.Equal(NoiseResult.Ok, pair.Responder.WriteMessage([], second, out written));
        Assert.Equal(96, written);
        Assert.Equal(NoiseResult.Ok, pair.Initiator.ReadMessage(second, [], out read));
        Assert.Equal(0, read);
    }

    [Fact]
    public void A_short_message_is_MessageTooShort_and_changes_nothing()
    {
        using var pair = new NoisePair(s_xx);
        var message = new byte[32];
        Assert.Equal(NoiseResult.Ok, pair.Initiator.WriteMessage([], message, out _));
        Assert.Equal(NoiseResult.MessageTooShort, pair.Responder.ReadMessage(message.AsSpan(0, 31), new byte[10], out _));
        Assert.Equal(NoiseResult.Ok, pair.Responder.ReadMessage(message, [], out _));
        var second = new byte[96];
        Assert.Equal(NoiseResult.Ok, pair.Responder.WriteMessage([], second, out _));
        Assert.Equal(NoiseResult.MessageTooShort, pair.Initiator.ReadMessage(second.AsSpan(0, 95), new byte[100], out _));
        Assert.Equal(NoiseResult.Ok, pair.Initiator.ReadMessage(second, [], out _));
    }

    [Fact]
    public void Messages_over_65535_bytes_are_refused()
    {
        using var pair = new NoisePair(s_xx);
        var big = new byte[70000];
        Assert.Equal(NoiseResult.MessageTooLong, pair.Initiator.WriteMessage(new byte[65535 - 31], big, out _));
        Assert.Equal(NoiseResult.Ok, pair.Initiator.WriteMessage(new byte[65535 - 32], big, out int written));
        Assert.Equal(65535, written);
        Assert.Equal(NoiseResult.MessageTooLong, pair.Responder.ReadMessage(big.AsSpan(0, 65536), big, out _));
    }

    [Fact]
    public void A_failed_read_ends_the_handshake()
    {
        using var pair = new NoisePair(s_xx);
        var message = new byte[200];
        Assert.Equal(NoiseResult.Ok, pair.Initiator.WriteMessage([], message, out int n));
        Assert.Equal(NoiseResult.Ok, pair.Responder.ReadMessage(message.AsSpan(0, n), message, out _));
        Assert.Equal(NoiseResult.Ok, pair.Responder.WriteMessage([], message, out n));
        message[40] ^= 1;
        Assert.Equal(NoiseResult.DecryptFailed, pair.Initiator.ReadMessage(message.AsSpan(0, n), new byte[200], out _));
        message[40] ^= 1;
        Assert.Equal(NoiseResult.HandshakeFailed, pair.Initiator.ReadMessage(message.AsSpan(0, n), new byte[200], out _));
        Assert.False(pair.Initiator.IsHandshakeComplete);
        Assert.Throws<InvalidOperationException>(() => pair.Initiator.Split());
    }

    [Fact]
    public void A_low_order_ephemeral_is_InvalidPublicKey()
    {
        using var pair = new NoisePair(s_xx);
        var message = new byte[32];

        // u = 0 is a point of small order: X25519 with it is all zero.
        Assert.Equal(NoiseResult.Ok, pair.Responder.ReadMessage(message, [], out _));
        Assert.Equal(NoiseResult.InvalidPublicKey, pair.Responder.WriteMessage([], new byte[200], out _));
        Assert.Equal(NoiseResult.HandshakeFailed, pair.Responder.WriteMessage([], new byte[200], out _));
    }

    [Fact]
    public void Missing_or_unexpected_keys_are_programming_errors()
    {
        NoiseProtocol ik = NoiseProtocol.Parse("Noise_IK_25519_ChaChaPoly_BLAKE2b");
        byte[] key = new byte[32];
        key[0] = 1;
        Assert.Throws<ArgumentException>(() => new HandshakeState(ik, true, [], key, []));
        Assert.Throws<ArgumentException>(() => new HandshakeState(ik, true, [], [], new byte[32]));
        Assert.Throws<ArgumentException>(() => new HandshakeState(s_xx, true, [], key, new byte[32]));
        Assert.Throws<ArgumentException>(() => new HandshakeState(s_xx, true, [], new byte[31], []));
        using var nn = new HandshakeState(NoiseProtocol.Parse("Noise_NN_25519_ChaChaPoly_BLAKE2b"), true, [], [], []);
        Assert.Throws<InvalidOperationException>(() => nn.Split());
    }

    [Fact]
    public void Split_twice_and_use_after_dispose_throw()
    {
        using var pair = new NoisePair(s_xx);
        Assert.Equal(NoiseResult.Ok, pair.Handshake(_ => []).Result);
        using NoiseTransport transport = pair.Initiator.Split();
        Assert.Throws<InvalidOperationException>(() => pair.Initiator.Split());
        Assert.Equal(64, transport.HandshakeHash.Length);
        pair.Initiator.Dispose();
        Assert.Throws<ObjectDisposedException>(() => pair.Initiator.WriteMessage([], new byte[100], out _));
        transport.Dispose();
        Assert.Throws<ObjectDisposedException>(() => transport.Encrypt([], new byte[16]));
    }

    [Fact]
    public void A_handshake_payload_can_be_decrypted_in_place_but_not_over_the_keys()
    {
        using var pair = new NoisePair(s_xx);
        var message = new byte[200];
        Assert.Equal(NoiseResult.Ok, pair.Initiator.WriteMessage([], message, out int n));
        Assert.Equal(NoiseResult.Ok, pair.Responder.ReadMessage(message.AsSpan(0, n), message, out _));
        byte[] payload = "in place"u8.ToArray();
        Assert.Equal(NoiseResult.Ok, pair.Responder.WriteMessage(payload, message, out n));

        // Message 2 of XX: e (32), encrypted s (48), then the payload and its tag.
        Assert.Throws<ArgumentException>(() => pair.Initiator.ReadMessage(message.AsSpan(0, n), message, out _));
        Assert.Equal(NoiseResult.Ok, pair.Initiator.ReadMessage(message.AsSpan(0, n), message.AsSpan(80), out int read));
        Assert.Equal(payload, message.AsSpan(80, read).ToArray());
    }
}
