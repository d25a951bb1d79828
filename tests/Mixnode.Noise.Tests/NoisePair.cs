using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Noise.Tests;

/// <summary>Two handshake states for a protocol, with fresh static keys wherever the pattern needs them.</summary>
internal sealed class NoisePair : IDisposable
{
    public NoisePair(NoiseProtocol protocol, byte[]? prologue = null)
    {
        prologue ??= "mixnode test"u8.ToArray();
        InitiatorStatic = RandomNumberGenerator.GetBytes(32);
        ResponderStatic = RandomNumberGenerator.GetBytes(32);
        InitiatorPublic = PublicKey(InitiatorStatic);
        ResponderPublic = PublicKey(ResponderStatic);
        HandshakePattern pattern = protocol.Pattern;
        Initiator = new HandshakeState(protocol, true, prologue,
            pattern.UsesLocalStatic(true) ? InitiatorStatic : [],
            pattern.ResponderStaticIsPreMessage ? ResponderPublic : []);
        Responder = new HandshakeState(protocol, false, prologue,
            pattern.UsesLocalStatic(false) ? ResponderStatic : [],
            pattern.InitiatorStaticIsPreMessage ? InitiatorPublic : []);
    }

    public byte[] InitiatorStatic { get; }

    public byte[] ResponderStatic { get; }

    public byte[] InitiatorPublic { get; }

    public byte[] ResponderPublic { get; }

    public HandshakeState Initiator { get; }

    public HandshakeState Responder { get; }

    public static byte[] PublicKey(byte[] privateKey)
    {
        var pub = new byte[32];
        X25519.ScalarMultBase(privateKey, pub);
        return pub;
    }

    /// <summary>
    /// Runs the handshake; message i carries payload(i) and is passed through tamper(i, message) on the way.
    /// Returns the first non-Ok result (with the step) or Ok; received payloads are checked against the sent ones.
    /// </summary>
    public (NoiseResult Result, int Step) Handshake(Func<int, byte[]> payload, Func<int, byte[], byte[]>? tamper = null)
    {
        var buffer = new byte[HandshakeState.MaxMessageSize];
        var received = new byte[HandshakeState.MaxMessageSize];
        for (int i = 0; !Initiator.IsHandshakeComplete || !Responder.IsHandshakeComplete; i++)
        {
            (HandshakeState writer, HandshakeState reader) = i % 2 == 0 ? (Initiator, Responder) : (Responder, Initiator);
            byte[] sent = payload(i);
            NoiseResult w = writer.WriteMessage(sent, buffer, out int written);
            if (w != NoiseResult.Ok)
            {
                return (w, i);
            }

            byte[] message = buffer[..written];
            if (tamper is not null)
            {
                message = tamper(i, message);
            }

            NoiseResult r = reader.ReadMessage(message, received, out int read);
            if (r != NoiseResult.Ok)
            {
                return (r, i);
            }

            if (!received.AsSpan(0, read).SequenceEqual(sent))
            {
                // Only possible when a plaintext payload was tampered with; the next step must then fail.
                continue;
            }
        }

        return (NoiseResult.Ok, -1);
    }

    public void Dispose()
    {
        Initiator.Dispose();
        Responder.Dispose();
    }
}
