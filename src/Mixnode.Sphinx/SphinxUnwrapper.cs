using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx;

/// <summary>
/// What a mix does to each packet (<c>docs/sphinx.md</c>, "Unwrap at a node"): checks the header MAC,
/// decrypts its routing block, decrypts the payload and re-blinds alpha, all in place in the caller's
/// buffer, with no heap allocation. Nothing in the buffer changes unless the MAC verifies, so a node can try
/// the keys of several epochs one after another on the same buffer.
/// </summary>
public static class SphinxUnwrapper
{
    /// <summary>Routing blocks above this size would be a stack risk; SphinxGeometry.MaxHops keeps far below it.</summary>
    private const int MaxStackRouting = (SphinxGeometry.MaxHops + 1) * SphinxGeometry.PerHopRoutingInfoLength;

    [SkipLocalsInit] // every scratch byte is written before it is read
    public static UnwrapResult Unwrap(SphinxGeometry geometry, X25519PrivateKey key, Span<byte> packet, out UnwrappedPacket result)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(key);
        result = default;

        if (packet.Length != geometry.PacketLength)
        {
            return UnwrapResult.InvalidLength;
        }

        if (packet[0] != 0 || packet[1] != 0)
        {
            return UnwrapResult.InvalidVersion;
        }

        int routingLength = geometry.RoutingInfoLength;
        int macCovered = geometry.MacCoveredLength;
        Span<byte> alpha = packet.Slice(SphinxGeometry.VersionLength, SphinxGeometry.GroupElementLength);
        Span<byte> beta = packet.Slice(SphinxGeometry.VersionLength + SphinxGeometry.GroupElementLength, routingLength);
        Span<byte> gamma = packet.Slice(macCovered, SphinxGeometry.MacLength);
        Span<byte> payload = packet[geometry.HeaderLength..];

        Span<byte> secret = stackalloc byte[X25519.PointSize];
        Span<byte> keys = stackalloc byte[SphinxKdf.OutputLength];
        Span<byte> blindedAlpha = stackalloc byte[X25519.PointSize];
        Span<byte> routingBuffer = stackalloc byte[MaxStackRouting];
        Span<byte> routing = routingBuffer[..(routingLength + SphinxGeometry.PerHopRoutingInfoLength)];
        try
        {
            if (!key.Agree(alpha, secret))
            {
                return UnwrapResult.InvalidGroupElement;
            }

            SphinxKdf.Derive(secret, keys);
            if (!HmacSha256.Verify(SphinxKdf.MacKey(keys), packet[..macCovered], gamma))
            {
                return UnwrapResult.MacMismatch;
            }

            Bytes32 replayTag = default;
            Sha512_256.Hash(alpha, replayTag);

            // beta ‖ 82 zero bytes, decrypted: this hop's block, then the routing info for the next hop.
            beta.CopyTo(routing);
            routing[routingLength..].Clear();
            Aes256Ctr.Xor(SphinxKdf.HeaderKey(keys), SphinxKdf.HeaderIv(keys), routing, routing);

            if (RoutingCommandCodec.TryParse(routing[..SphinxGeometry.PerHopRoutingInfoLength], out RoutingCommands commands) != CommandParseResult.Ok)
            {
                return UnwrapResult.MalformedCommands;
            }

            Aez.Decrypt(SphinxKdf.PayloadKey(keys), SphinxKdf.HeaderIv(keys), payload, payload);

            if (commands.HasNextNodeHop)
            {
                // The blinding factor reuses the secret's buffer: the secret is no longer needed.
                SphinxKdf.BlindingFactor(keys, secret);
                if (!X25519.ScalarMult(secret, alpha, blindedAlpha))
                {
                    return UnwrapResult.InvalidGroupElement;
                }

                blindedAlpha.CopyTo(alpha);
                routing[SphinxGeometry.PerHopRoutingInfoLength..].CopyTo(beta);
                commands.NextNodeMac.AsReadOnlySpan().CopyTo(gamma);
                result = new UnwrappedPacket(UnwrappedKind.Forward, commands, replayTag, 0, packet.Length);
                return UnwrapResult.Success;
            }

            if (commands.HasSurbReply)
            {
                // The reply's recipient holds the keys to the rest; the tag is checked there.
                result = new UnwrappedPacket(UnwrappedKind.SurbReply, commands, replayTag, geometry.HeaderLength, geometry.PayloadLength);
                return UnwrapResult.Success;
            }

            if (payload[..SphinxGeometry.PayloadTagLength].ContainsAnyExcept((byte)0))
            {
                return UnwrapResult.PayloadTagMismatch;
            }

            result = new UnwrappedPacket(UnwrappedKind.Deliver, commands, replayTag, geometry.HeaderLength + SphinxGeometry.PayloadTagLength, geometry.ForwardPayloadLength);
            return UnwrapResult.Success;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(keys);
            CryptographicOperations.ZeroMemory(routing);
        }
    }
}
