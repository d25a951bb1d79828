using System.Security.Cryptography;
using Mixnode.Sphinx;

namespace Mixnode.Fuzz;

/// <summary>
/// <see cref="SphinxUnwrapper.Unwrap"/> with the harness's mix key on the vectors geometry (611-byte packets).
/// Input: one mode byte, then the packet. Mode bit 0: recompute the header MAC for the mutated packet before the
/// unwrap (the fuzzer cannot forge HMAC-SHA256, and without this every mutation stops at the MAC check; AES-CTR is
/// malleable, so mutations of beta reach the routing command parser bit by bit). Mode bit 1: pad or cut the packet
/// to the geometry's length. Unwrap promises a result code for every input: any exception is a crash.
/// </summary>
internal sealed class SphinxUnwrapTarget : IFuzzTarget
{
    public const int FixMac = 1;
    public const int FitLength = 2;

    private static readonly byte[] s_kdfInfo = "katzenpost-kdf-v0-hkdf-sha256"u8.ToArray();

    public string Name => "sphinx";

    public static SphinxGeometry Geometry => SphinxGeometry.KatzenpostVectors;

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        int mode = input[0];
        ReadOnlySpan<byte> body = input[1..];
        byte[] packet;
        if ((mode & FitLength) != 0)
        {
            packet = new byte[Geometry.PacketLength];
            body[..Math.Min(body.Length, packet.Length)].CopyTo(packet);
        }
        else
        {
            packet = body.ToArray();
        }

        if ((mode & FixMac) != 0)
        {
            FixHeaderMac(packet);
        }

        UnwrapResult result = SphinxUnwrapper.Unwrap(Geometry, FuzzKeys.MixKey, packet, out UnwrappedPacket unwrapped);
        if (result == UnwrapResult.Success && (unwrapped.PayloadOffset < 0 || unwrapped.PayloadOffset + unwrapped.PayloadLength > packet.Length))
        {
            throw new InvariantViolatedException($"unwrapped payload {unwrapped.PayloadOffset}+{unwrapped.PayloadLength} lies outside the {packet.Length}-byte packet");
        }
    }

    /// <summary>
    /// Writes gamma = HMAC-SHA256(mac key, version ‖ alpha ‖ beta) with the mac key this node derives from alpha,
    /// with .NET's own HKDF and HMAC (not the code under test). Leaves packets of a wrong length or with a
    /// low-order alpha alone: the unwrap refuses those before the MAC.
    /// </summary>
    public static void FixHeaderMac(Span<byte> packet)
    {
        if (packet.Length != Geometry.PacketLength)
        {
            return;
        }

        Span<byte> secret = stackalloc byte[32];
        if (!FuzzKeys.MixKey.Agree(packet.Slice(SphinxGeometry.VersionLength, SphinxGeometry.GroupElementLength), secret))
        {
            return;
        }

        Span<byte> macKey = stackalloc byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, secret, macKey, s_kdfInfo);
        HMACSHA256.HashData(macKey, packet[..Geometry.MacCoveredLength], packet.Slice(Geometry.MacCoveredLength, SphinxGeometry.MacLength));
    }
}
