using BenchmarkDotNet.Attributes;
using Mixnode.Noise;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Benchmarks.Noise;

/// <summary>
/// Noise_XX_25519_ChaChaPoly_BLAKE2b as the node uses it (static keys as long-lived X25519PrivateKey objects):
/// a whole handshake with both sides in this process, each side alone (the peer's messages replayed: fixed
/// ephemerals make them valid every time), and a 3,100-byte transport message (encrypt + decrypt).
/// In XX each side does one key generation and three DH: the per-side figures should be about half the whole.
/// </summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class NoiseBenchmarks
{
    private const int TransportSize = 3100;

    private static readonly NoiseProtocol s_xx = NoiseProtocol.XX25519ChaChaPolyBlake2b;
    private static readonly byte[] s_prologue = "mixnode"u8.ToArray();

    private readonly byte[] _message = new byte[HandshakeState.MaxMessageSize];
    private readonly byte[] _payload = new byte[HandshakeState.MaxMessageSize];
    private readonly byte[] _plaintext = new byte[TransportSize];
    private readonly byte[] _ciphertext = new byte[TransportSize + NoiseTransport.TagSize];
    private readonly byte[] _initiatorEphemeral = Convert.FromHexString("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a");
    private readonly byte[] _responderEphemeral = Convert.FromHexString("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b");
    private X25519PrivateKey _initiatorStatic = null!;
    private X25519PrivateKey _responderStatic = null!;
    private byte[] _message1 = null!;
    private byte[] _message2 = null!;
    private byte[] _message3 = null!;
    private NoiseTransport _sender = null!;
    private NoiseTransport _receiver = null!;
    private NoiseTransport _aesSender = null!;
    private NoiseTransport _aesReceiver = null!;

    [GlobalSetup]
    public void Setup()
    {
        Console.WriteLine($"// X25519.BackendName = {X25519.BackendName}");
        _initiatorStatic = X25519PrivateKey.Generate();
        _responderStatic = X25519PrivateKey.Generate();
        Random.Shared.NextBytes(_plaintext);

        using HandshakeState initiator = FixedInitiator();
        using HandshakeState responder = FixedResponder();
        _message1 = Step(initiator, responder);
        _message2 = Step(responder, initiator);
        _message3 = Step(initiator, responder);
        _sender = initiator.Split();
        _receiver = responder.Split();
        (_aesSender, _aesReceiver) = Session(NoiseProtocol.Parse("Noise_XX_25519_AESGCM_BLAKE2b"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sender.Dispose();
        _receiver.Dispose();
        _aesSender.Dispose();
        _aesReceiver.Dispose();
        _initiatorStatic.Dispose();
        _responderStatic.Dispose();
    }

    /// <summary>Both sides, three messages, both splits: the CPU of one link set-up on one machine.</summary>
    [Benchmark]
    [BenchmarkCategory("Handshake")]
    public int Handshake_XX_both_sides()
    {
        using HandshakeState initiator = new(s_xx, true, s_prologue, _initiatorStatic, []);
        using HandshakeState responder = new(s_xx, false, s_prologue, _responderStatic, []);
        initiator.WriteMessage([], _message, out int n);
        responder.ReadMessage(_message.AsSpan(0, n), _payload, out _);
        responder.WriteMessage([], _message, out n);
        initiator.ReadMessage(_message.AsSpan(0, n), _payload, out _);
        initiator.WriteMessage([], _message, out n);
        responder.ReadMessage(_message.AsSpan(0, n), _payload, out _);
        using NoiseTransport a = initiator.Split();
        using NoiseTransport b = responder.Split();
        return n;
    }

    /// <summary>The initiator's share: write e; read e, ee, s, es; write s, se; split.</summary>
    [Benchmark]
    [BenchmarkCategory("Handshake")]
    public int Handshake_XX_initiator_side()
    {
        using HandshakeState initiator = FixedInitiator();
        initiator.WriteMessage([], _message, out int n);
        initiator.ReadMessage(_message2, _payload, out _);
        initiator.WriteMessage([], _message, out n);
        using NoiseTransport transport = initiator.Split();
        return n;
    }

    /// <summary>The responder's share: read e; write e, ee, s, es; read s, se; split.</summary>
    [Benchmark]
    [BenchmarkCategory("Handshake")]
    public int Handshake_XX_responder_side()
    {
        using HandshakeState responder = FixedResponder();
        responder.ReadMessage(_message1, _payload, out int n);
        responder.WriteMessage([], _message, out n);
        responder.ReadMessage(_message3, _payload, out _);
        using NoiseTransport transport = responder.Split();
        return n;
    }

    [Benchmark]
    [BenchmarkCategory("Transport")]
    public NoiseResult Transport_3100B_ChaChaPoly_encrypt_decrypt()
    {
        _sender.Encrypt(_plaintext, _ciphertext);
        return _receiver.Decrypt(_ciphertext, _plaintext);
    }

    [Benchmark]
    [BenchmarkCategory("Transport")]
    public NoiseResult Transport_3100B_AESGCM_encrypt_decrypt()
    {
        _aesSender.Encrypt(_plaintext, _ciphertext);
        return _aesReceiver.Decrypt(_ciphertext, _plaintext);
    }

    private HandshakeState FixedInitiator() => new(s_xx, true, s_prologue, _initiatorStatic, default, default, _initiatorEphemeral);

    private HandshakeState FixedResponder() => new(s_xx, false, s_prologue, _responderStatic, default, default, _responderEphemeral);

    private byte[] Step(HandshakeState writer, HandshakeState reader)
    {
        if (writer.WriteMessage([], _message, out int n) != NoiseResult.Ok
            || reader.ReadMessage(_message.AsSpan(0, n), _payload, out _) != NoiseResult.Ok)
        {
            throw new InvalidOperationException("Handshake step failed.");
        }

        return _message[..n];
    }

    private (NoiseTransport Sender, NoiseTransport Receiver) Session(NoiseProtocol protocol)
    {
        using HandshakeState initiator = new(protocol, true, s_prologue, _initiatorStatic, []);
        using HandshakeState responder = new(protocol, false, s_prologue, _responderStatic, []);
        Step(initiator, responder);
        Step(responder, initiator);
        Step(initiator, responder);
        return (initiator.Split(), responder.Split());
    }
}
