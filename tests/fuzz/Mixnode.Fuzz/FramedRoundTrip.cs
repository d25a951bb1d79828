using Mixnode.Links.Wire;

namespace Mixnode.Fuzz;

/// <summary>
/// What a link decoded must encode into one of its frames and decode back to the same command. Equal as a command,
/// not byte for byte: the decoder also takes the zero-padded Empty replies of older Katzenpost versions, which the
/// encoder writes in the short form (WireCodec.DecodeMessage).
/// </summary>
internal static class FramedRoundTrip
{
    public static void Check(scoped in WireCommand command, WireFraming framing)
    {
        byte[] frame = new byte[framing.CommandSize];
        WireEncodeResult encoded = WireCodec.TryEncode(command, frame, framing);
        if (encoded != WireEncodeResult.Ok)
        {
            throw new InvariantViolatedException($"decoded {command.ToString()} does not encode into a frame of the link: {encoded}");
        }

        WireDecodeResult again = WireCodec.TryDecode(frame, framing, out WireCommand reparsed);
        if (again != WireDecodeResult.Ok || !reparsed.ContentEquals(command))
        {
            throw new InvariantViolatedException($"decoded {command.ToString()}, encoded into a frame, decodes as {again}");
        }
    }
}
