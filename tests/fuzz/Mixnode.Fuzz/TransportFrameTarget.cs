using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Noise;

namespace Mixnode.Fuzz;

/// <summary>
/// A link after the handshake, as <c>LinkSession.HandleFrame</c> reads it: fixed-size frames (command size + 16-byte
/// tag) through <see cref="NoiseTransport.Decrypt"/>, both directions rekeying every N frames, then
/// <see cref="WireCodec.TryDecode(ReadOnlySpan{byte}, WireFraming, out WireCommand)"/> with the link's framing. The
/// transports come from an XX handshake with the harness's fixed keys, so a frame encrypted once (a seed) decrypts
/// again on every run. Input: byte 0: bit 0 set, the input holds plaintext frames that the harness encrypts with the
/// peer's transport (so mutations reach the command decoder), else ciphertext frames as the peer sent them; bit 1: a
/// client link's framing, else a mix link's (vectors geometry); bit 2: the responder receives, else the initiator;
/// bits 4..7: rekey every 1 + that many frames (0 and 15: never, the link's default interval). Then the frames; a
/// last partial frame is what the link would leave unread.
/// Invariants: a frame decrypts only when it is the peer's encryption of that plaintext at that point (the harness
/// re-encrypts it and compares), and a refused frame changes nothing (the next genuine frame still decrypts, so a
/// refused frame never costs the receive key); a command that decodes encodes into a frame that decodes back equal
/// (<see cref="FramedRoundTrip"/>); decode refusals
/// are <see cref="WireDecodeResult"/>s, never exceptions.
/// </summary>
internal sealed class TransportFrameTarget : IFuzzTarget
{
    public const int Seal = 1;
    public const int ClientFraming = 2;
    public const int ResponderReceives = 4;

    private static readonly WireFraming s_clientFraming = ClientLinkProtocol.Framing(SphinxUnwrapTarget.Geometry);

    public string Name => "transport";

    public static WireFraming Framing(int mode) => (mode & ClientFraming) != 0 ? s_clientFraming : WireFrameTarget.Framing;

    public static long RekeyInterval(int mode) => (mode >> 4) is 0 or 15 ? LinkProtocol.DefaultRekeyInterval : 1 + (mode >> 4);

    public void Run(ReadOnlySpan<byte> input) => Process(input);

    /// <summary>For the seed check: null when every whole frame of the input decrypts and decodes (a last Disconnect may end the link).</summary>
    public static string? Check(byte[] seed) => Process(seed) is var (read, whole) && read == whole ? null : $"the link stops after {read.ToString(System.Globalization.CultureInfo.InvariantCulture)} of {whole.ToString(System.Globalization.CultureInfo.InvariantCulture)} frames";

    /// <summary>Frames read before the link stopped (a Disconnect counts as read), and whole frames in the input.</summary>
    private static (int Read, int Whole) Process(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return (0, 0);
        }

        int mode = input[0];
        WireFraming framing = Framing(mode);
        long rekey = RekeyInterval(mode);
        int frameLength = LinkProtocol.TransportFrameLength(framing);
        (NoiseTransport initiator, NoiseTransport responder) = Transports();
        using (initiator)
        using (responder)
        {
            // The sender is the peer: the frames are checked against its encryption, and the probe is its next genuine frame.
            (NoiseTransport receiver, NoiseTransport sender) = (mode & ResponderReceives) != 0 ? (responder, initiator) : (initiator, responder);
            ReadOnlySpan<byte> body = input[1..];
            int step = (mode & Seal) != 0 ? framing.CommandSize : frameLength;
            byte[] cipher = new byte[frameLength];
            byte[] plain = new byte[framing.CommandSize];
            byte[] expected = new byte[frameLength];
            long received = 0;
            int whole = body.Length / step;
            for (int offset = 0; offset + step <= body.Length; offset += step)
            {
                ReadOnlySpan<byte> frame = body.Slice(offset, step);
                if ((mode & Seal) != 0)
                {
                    Expect(sender.Encrypt(frame, cipher), "encrypting a frame");
                }
                else
                {
                    frame.CopyTo(cipher);
                }

                NoiseResult result = receiver.Decrypt(cipher, plain);
                if (result != NoiseResult.Ok)
                {
                    if ((mode & Seal) != 0)
                    {
                        throw new InvariantViolatedException($"frame {received}: the peer's own encryption does not decrypt: {result}");
                    }

                    // The link closes here (decrypt_failed); the receive key must be untouched by the refusal.
                    Probe(sender, receiver, framing);
                    return ((int)received, whole);
                }

                if ((mode & Seal) == 0)
                {
                    // Only the peer's encryption of this plaintext at this nonce may decrypt.
                    Expect(sender.Encrypt(plain, expected), "re-encrypting a frame that decrypted");
                    if (!expected.AsSpan().SequenceEqual(cipher))
                    {
                        throw new InvariantViolatedException($"frame {received} decrypted but is not the peer's encryption of its plaintext");
                    }
                }
                else if (!plain.AsSpan().SequenceEqual(frame))
                {
                    throw new InvariantViolatedException($"frame {received} decrypted to other bytes than were encrypted");
                }

                if (++received % rekey == 0)
                {
                    receiver.RekeyReceive();
                    sender.RekeySend();
                }

                switch (CheckCommand(plain, framing))
                {
                    case FrameOutcome.Malformed:
                        // The link closes (malformed_command): this frame was not one it could read.
                        return ((int)received - 1, whole);
                    case FrameOutcome.Disconnect:
                        // The link closes (peer_disconnected) after a well-formed frame; nothing more is read.
                        return ((int)received, whole);
                }
            }

            Probe(sender, receiver, framing);
            return ((int)received, whole);
        }
    }

    /// <summary>The initiator's and responder's transports after an XX handshake with the harness's fixed keys.</summary>
    public static (NoiseTransport Initiator, NoiseTransport Responder) Transports()
    {
        using HandshakeState initiator = NoiseHandshakeTarget.Initiator();
        using HandshakeState responder = NoiseHandshakeTarget.Responder();
        byte[] message = new byte[HandshakeState.MaxMessageSize];
        HandshakeState[] turns = [initiator, responder, initiator];
        for (int i = 0; i < turns.Length; i++)
        {
            Expect(turns[i].WriteMessage([], message, out int length), "writing a handshake message");
            Expect(turns[(i + 1) % 2].ReadMessage(message.AsSpan(0, length), [], out _), "reading a handshake message");
        }

        return (initiator.Split(), responder.Split());
    }

    private enum FrameOutcome
    {
        ReadOn,
        Malformed,
        Disconnect,
    }

    /// <summary>What the session does with a decrypted frame.</summary>
    private static FrameOutcome CheckCommand(byte[] plain, WireFraming framing)
    {
        if (WireCodec.TryDecode(plain, framing, out WireCommand command) != WireDecodeResult.Ok)
        {
            return FrameOutcome.Malformed;
        }

        FramedRoundTrip.Check(command, framing);
        return command.Id == WireCommandId.Disconnect ? FrameOutcome.Disconnect : FrameOutcome.ReadOn;
    }

    private static void Probe(NoiseTransport sender, NoiseTransport receiver, WireFraming framing)
    {
        byte[] plain = new byte[framing.CommandSize];
        byte[] cipher = new byte[LinkProtocol.TransportFrameLength(framing)];
        Expect(WireCodec.TryEncode(WireCommand.NoOp(), plain, framing) == WireEncodeResult.Ok ? NoiseResult.Ok : NoiseResult.BufferTooSmall, "encoding a NoOp");
        Expect(sender.Encrypt(plain, cipher), "encrypting the probe");
        NoiseResult result = receiver.Decrypt(cipher, plain);
        if (result != NoiseResult.Ok)
        {
            throw new InvariantViolatedException($"after the frames (a refused one changes nothing) the next genuine frame does not decrypt: {result}");
        }
    }

    private static void Expect(NoiseResult result, string step)
    {
        if (result != NoiseResult.Ok)
        {
            throw new InvariantViolatedException($"{step}: {result}");
        }
    }
}
