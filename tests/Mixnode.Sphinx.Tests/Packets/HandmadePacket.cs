using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx.Tests.Packets;

/// <summary>
/// Builds a one-hop packet by hand with an arbitrary routing block behind a valid MAC, which the real
/// builder (rightly) refuses to make: the only way to reach unwrap's command checks.
/// </summary>
internal static class HandmadePacket
{
    public static byte[] WithRoutingBlock(SphinxGeometry geometry, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> block)
    {
        byte[] ephemeral = RandomNumberGenerator.GetBytes(32);
        byte[] packet = new byte[geometry.PacketLength];
        X25519.ScalarMultBase(ephemeral, packet.AsSpan(2, 32));
        byte[] secret = new byte[32];
        Assert.True(X25519.ScalarMult(ephemeral, publicKey, secret));
        byte[] keys = new byte[SphinxKdf.OutputLength];
        SphinxKdf.Derive(secret, keys);

        Span<byte> beta = packet.AsSpan(34, geometry.RoutingInfoLength);
        block.CopyTo(beta);
        Aes256Ctr.Xor(SphinxKdf.HeaderKey(keys), SphinxKdf.HeaderIv(keys), beta, beta);
        HmacSha256.Compute(SphinxKdf.MacKey(keys), packet.AsSpan(0, geometry.MacCoveredLength), packet.AsSpan(geometry.MacCoveredLength, 32));
        RandomNumberGenerator.Fill(packet.AsSpan(geometry.HeaderLength));
        return packet;
    }
}
