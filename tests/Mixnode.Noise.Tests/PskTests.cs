namespace Mixnode.Noise.Tests;

/// <summary>psk modifiers (spec §9): both sides need the same pre-shared keys, of the right count and size.</summary>
public sealed class PskTests
{
    private static readonly NoiseProtocol s_nnPsk2 = NoiseProtocol.Parse("Noise_NNpsk2_25519_ChaChaPoly_BLAKE2b");

    [Fact]
    public void The_same_psk_completes_the_handshake_and_a_different_one_fails_at_its_first_use()
    {
        byte[] psk = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        (NoiseResult ok, NoiseResult _) = Run(psk, psk);
        Assert.Equal(NoiseResult.Ok, ok);

        byte[] other = (byte[])psk.Clone();
        other[31] ^= 1;
        (NoiseResult first, NoiseResult second) = Run(psk, other);
        Assert.Equal(NoiseResult.Ok, first); // -> e: no key yet with psk2
        Assert.Equal(NoiseResult.DecryptFailed, second);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(64)]
    public void A_wrong_amount_of_psk_bytes_is_refused_up_front(int length) =>
        Assert.Throws<ArgumentException>(() => new HandshakeState(s_nnPsk2, true, [], [], [], new byte[length]));

    [Fact]
    public void A_protocol_without_psk_takes_no_psk_bytes() =>
        Assert.Throws<ArgumentException>(() => new HandshakeState(NoiseProtocol.Parse("Noise_NN_25519_ChaChaPoly_BLAKE2b"), true, [], [], [], new byte[32]));

    /// <summary>NNpsk2 with the given psks: the result of reading message 0 and then message 1.</summary>
    private static (NoiseResult First, NoiseResult Second) Run(byte[] initiatorPsk, byte[] responderPsk)
    {
        using var initiator = new HandshakeState(s_nnPsk2, true, [], [], [], initiatorPsk);
        using var responder = new HandshakeState(s_nnPsk2, false, [], [], [], responderPsk);
        var message = new byte[256];
        var payload = new byte[256];
        Assert.Equal(NoiseResult.Ok, initiator.WriteMessage([1, 2, 3], message, out int written));
        NoiseResult first = responder.ReadMessage(message.AsSpan(0, written), payload, out _);
        Assert.Equal(NoiseResult.Ok, responder.WriteMessage([4, 5, 6], message, out written));
        NoiseResult second = initiator.ReadMessage(message.AsSpan(0, written), payload, out _);
        return (first, second);
    }
}
