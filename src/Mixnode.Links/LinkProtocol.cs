using System.Buffers.Binary;
using System.Text;
using Mixnode.Noise;
using Mixnode.Links.Wire;

namespace Mixnode.Links;

/// <summary>
/// The constants both ends of a link must share. On the wire a link is: three Noise XX handshake messages,
/// each behind a 2-byte big-endian length, then transport messages of exactly one size
/// (<see cref="WireFraming.CommandSize"/> + 16-byte tag) with no length at all — every message on a link
/// looks the same. The prologue binds the protocol version and that size, so nodes of different
/// geometries fail the handshake instead of misreading each other.
/// </summary>
internal static class LinkProtocol
{
    public static NoiseProtocol Noise => NoiseProtocol.XX25519ChaChaPolyBlake2b;

    /// <summary>Length prefix of a handshake message.</summary>
    public const int HandshakeLengthPrefix = 2;

    /// <summary>XX messages with empty payloads are 32, 96 and 64 bytes; anything much longer is an attack or a bug.</summary>
    public const int MaxHandshakeMessage = 256;

    /// <summary>Both directions replace their key (Noise REKEY) after this many transport messages, without signalling.</summary>
    public const long DefaultRekeyInterval = 1 << 20;

    private static readonly byte[] s_prologuePrefix = Encoding.ASCII.GetBytes("mixnode-link/1");

    public static byte[] Prologue(WireFraming framing) => Prologue(s_prologuePrefix, framing);

    /// <summary>A protocol name followed by the link's big-endian command size (node and client links differ in the name).</summary>
    public static byte[] Prologue(ReadOnlySpan<byte> protocol, WireFraming framing)
    {
        byte[] prologue = new byte[protocol.Length + 4];
        protocol.CopyTo(prologue);
        BinaryPrimitives.WriteInt32BigEndian(prologue.AsSpan(protocol.Length), framing.CommandSize);
        return prologue;
    }

    public static int TransportFrameLength(WireFraming framing) => framing.CommandSize + NoiseTransport.TagSize;
}
