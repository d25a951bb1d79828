using Mixnode.Links.Wire;
using Mixnode.Sphinx;

namespace Mixnode.Fuzz;

/// <summary>
/// <see cref="WireCodec.TryDecode(ReadOnlySpan{byte}, out WireCommand)"/> and its link overload (the mix link's
/// framing for the vectors geometry, the size every message on such a link has). The codec documents that it never
/// throws. Beyond that: a command it decodes encodes again, and the encoding decodes to the same command.
/// </summary>
internal sealed class WireFrameTarget : IFuzzTarget
{
    private static readonly WireFraming s_framing = WireFraming.ForMixLink(SphinxGeometry.KatzenpostVectors);

    public string Name => "wire";

    public static WireFraming Framing => s_framing;

    public void Run(ReadOnlySpan<byte> input)
    {
        if (WireCodec.TryDecode(input, out WireCommand command) == WireDecodeResult.Ok)
        {
            CheckRoundTrip(command);
        }

        // The link overload sees exactly CommandSize bytes: pad or cut, so that mutations reach its checks.
        byte[] message = new byte[s_framing.CommandSize];
        input[..Math.Min(input.Length, message.Length)].CopyTo(message);
        if (WireCodec.TryDecode(message, s_framing, out WireCommand framed) == WireDecodeResult.Ok)
        {
            CheckRoundTrip(framed);
        }
    }

    private static void CheckRoundTrip(scoped in WireCommand command)
    {
        long length = WireCodec.EncodedLength(command);
        if (length < 0)
        {
            throw new InvariantViolatedException($"decoded {command.ToString()} has no encoding");
        }

        byte[] buffer = new byte[length];
        WireEncodeResult encoded = WireCodec.TryEncode(command, buffer, out int written);
        if (encoded != WireEncodeResult.Ok)
        {
            throw new InvariantViolatedException($"decoded {command.ToString()} does not encode: {encoded}");
        }

        WireDecodeResult again = WireCodec.TryDecode(buffer.AsSpan(0, written), out WireCommand reparsed);
        if (again != WireDecodeResult.Ok || !reparsed.ContentEquals(command))
        {
            throw new InvariantViolatedException($"re-encoded {command.ToString()} decodes as {again}");
        }
    }
}
