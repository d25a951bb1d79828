using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Noise;

namespace Mixnode.Fuzz;

/// <summary>
/// The link's Noise XX handshake (<see cref="LinkProtocol"/>) reading a message from the peer. Input: one mode
/// byte, then the message. Even mode: a responder reads it as the first message (and, if it reads, writes the
/// second). Odd mode: an initiator that sent its first message reads it as the second (and, if it reads, writes the
/// third and splits). Ephemerals are fixed so that a seed second message stays valid. <see cref="HandshakeState"/>
/// reports bad input as a <see cref="NoiseResult"/>, never as an exception: any exception is a crash.
/// </summary>
internal sealed class NoiseHandshakeTarget : IFuzzTarget
{
    private static readonly byte[] s_prologue = LinkProtocol.Prologue(WireFrameTarget.Framing);

    public string Name => "noise";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<byte> message = input[1..];
        byte[] payload = new byte[HandshakeState.MaxMessageSize];
        byte[] reply = new byte[HandshakeState.MaxMessageSize];
        if ((input[0] & 1) == 0)
        {
            using HandshakeState responder = Responder();
            if (responder.ReadMessage(message, payload, out _) == NoiseResult.Ok)
            {
                Expect(responder.WriteMessage([], reply, out _), "responder writing the second message");
            }

            return;
        }

        using HandshakeState initiator = Initiator();
        Expect(initiator.WriteMessage([], reply, out _), "initiator writing the first message");
        if (initiator.ReadMessage(message, payload, out _) == NoiseResult.Ok)
        {
            Expect(initiator.WriteMessage([], reply, out _), "initiator writing the third message");
            using NoiseTransport transport = initiator.Split();
        }
    }

    public static HandshakeState Initiator() =>
        new(LinkProtocol.Noise, initiator: true, s_prologue, null, FuzzKeys.InitiatorStatic, [], FuzzKeys.InitiatorEphemeral);

    public static HandshakeState Responder() =>
        new(LinkProtocol.Noise, initiator: false, s_prologue, null, FuzzKeys.ResponderStatic, [], FuzzKeys.ResponderEphemeral);

    // InvalidPublicKey is the documented refusal of a low-order key the peer sent, which the reader stores and the
    // next Diffie-Hellman (in our write) meets; anything else after a message that read fine is a bug.
    private static void Expect(NoiseResult result, string step)
    {
        if (result is not NoiseResult.Ok and not NoiseResult.InvalidPublicKey)
        {
            throw new InvariantViolatedException($"{step} after a message that read fine: {result}");
        }
    }
}
