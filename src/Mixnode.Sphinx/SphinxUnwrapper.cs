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
/// <para>
/// The two X25519 (agreement and re-blinding) are nine tenths of the cost. <see cref="UnwrapBatch"/> does them
/// for up to eight packets at once when the AVX-512 IFMA code is available (<see cref="BatchAccelerated"/>);
/// everything between them is the same code for one packet and for a batch.
/// </para>
/// </summary>
public static class SphinxUnwrapper
{
    /// <summary>The most packets <see cref="UnwrapBatch"/> takes in one call.</summary>
    public const int MaxBatch = X25519Batch.Lanes;

    /// <summary>Routing blocks above this size would be a stack risk; SphinxGeometry.MaxHops keeps far below it.</summary>
    private const int MaxStackRouting = (SphinxGeometry.MaxHops + 1) * SphinxGeometry.PerHopRoutingInfoLength;

    private const int PointSize = X25519.PointSize;

    /// <summary>True when <see cref="UnwrapBatch"/> runs eight X25519 per call (else it unwraps one packet at a time).</summary>
    public static bool BatchAccelerated => X25519Batch.IsAvailable;

    /// <summary>Why batches are or are not accelerated, for start-up logs and bench output.</summary>
    public static string BatchStatus => X25519Batch.Status;

    [SkipLocalsInit] // every scratch byte is written before it is read
    public static UnwrapResult Unwrap(SphinxGeometry geometry, X25519PrivateKey key, Span<byte> packet, out UnwrappedPacket result)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(key);
        result = default;
        UnwrapResult check = CheckFraming(geometry, packet);
        if (check != UnwrapResult.Success)
        {
            return check;
        }

        Span<byte> alpha = Alpha(packet);
        Span<byte> secret = stackalloc byte[PointSize];
        Span<byte> blinded = stackalloc byte[PointSize];
        try
        {
            if (!key.Agree(alpha, secret))
            {
                return UnwrapResult.InvalidGroupElement;
            }

            // The blinding factor reuses the secret's buffer: the secret is no longer needed by then.
            UnwrapResult outcome = UnwrapAfterAgreement(geometry, packet, secret, secret, out result);
            if (outcome != UnwrapResult.Success || result.Kind != UnwrappedKind.Forward)
            {
                return outcome;
            }

            if (!X25519.ScalarMult(secret, alpha, blinded))
            {
                result = default;
                return UnwrapResult.InvalidGroupElement;
            }

            blinded.CopyTo(alpha);
            return UnwrapResult.Success;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// <see cref="Unwrap"/> for each of up to <see cref="MaxBatch"/> packets with one key: results[i] and unwrapped[i]
    /// are exactly what Unwrap would give for packets[i] (and the buffers end the same). With two or more valid
    /// packets and <see cref="BatchAccelerated"/>, their agreements run as one eight-lane X25519 and so do the
    /// re-blindings of those that go on to another hop.
    /// </summary>
    [SkipLocalsInit] // every scratch byte is written before it is read
    public static void UnwrapBatch(SphinxGeometry geometry, X25519PrivateKey key, ReadOnlySpan<Memory<byte>> packets, Span<UnwrapResult> results, Span<UnwrappedPacket> unwrapped)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(key);
        int count = packets.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBatch, nameof(packets));
        ArgumentOutOfRangeException.ThrowIfLessThan(results.Length, count, nameof(results));
        ArgumentOutOfRangeException.ThrowIfLessThan(unwrapped.Length, count, nameof(unwrapped));
        if (count < 2 || !X25519Batch.IsAvailable)
        {
            for (int i = 0; i < count; i++)
            {
                results[i] = Unwrap(geometry, key, packets[i].Span, out unwrapped[i]);
            }

            return;
        }

        // Lane l of the agreement holds packet lanePacket[l]; lane b of the blinding holds packet blindPacket[b].
        Span<byte> points = stackalloc byte[MaxBatch * PointSize];
        Span<byte> secrets = stackalloc byte[MaxBatch * PointSize];
        Span<byte> blindingFactors = stackalloc byte[MaxBatch * PointSize];
        Span<byte> blinded = stackalloc byte[MaxBatch * PointSize];
        Span<int> lanePacket = stackalloc int[MaxBatch];
        Span<int> blindPacket = stackalloc int[MaxBatch];
        try
        {
            int lanes = 0;
            for (int i = 0; i < count; i++)
            {
                unwrapped[i] = default;
                results[i] = CheckFraming(geometry, packets[i].Span);
                if (results[i] == UnwrapResult.Success)
                {
                    Alpha(packets[i].Span).CopyTo(points.Slice(lanes * PointSize, PointSize));
                    lanePacket[lanes++] = i;
                }
            }

            if (lanes == 0)
            {
                return;
            }

            int lowOrder = lanes == 1
                ? (key.Agree(points[..PointSize], secrets[..PointSize]) ? 0 : 1)
                : key.AgreeBatch(points[..(lanes * PointSize)], secrets[..(lanes * PointSize)], lanes);

            int blinds = 0;
            for (int lane = 0; lane < lanes; lane++)
            {
                int i = lanePacket[lane];
                if ((lowOrder & (1 << lane)) != 0)
                {
                    results[i] = UnwrapResult.InvalidGroupElement;
                    continue;
                }

                Span<byte> packet = packets[i].Span;
                results[i] = UnwrapAfterAgreement(geometry, packet, secrets.Slice(lane * PointSize, PointSize), blindingFactors.Slice(blinds * PointSize, PointSize), out unwrapped[i]);
                if (results[i] == UnwrapResult.Success && unwrapped[i].Kind == UnwrappedKind.Forward)
                {
                    Alpha(packet).CopyTo(points.Slice(blinds * PointSize, PointSize));
                    blindPacket[blinds++] = i;
                }
            }

            if (blinds == 0)
            {
                return;
            }

            int lowBlinded = blinds == 1
                ? (X25519.ScalarMult(blindingFactors[..PointSize], points[..PointSize], blinded[..PointSize]) ? 0 : 1)
                : X25519Batch.ScalarMult(blindingFactors[..(blinds * PointSize)], points[..(blinds * PointSize)], blinded[..(blinds * PointSize)], blinds);
            for (int b = 0; b < blinds; b++)
            {
                int i = blindPacket[b];
                if ((lowBlinded & (1 << b)) != 0)
                {
                    results[i] = UnwrapResult.InvalidGroupElement;
                    unwrapped[i] = default;
                    continue;
                }

                blinded.Slice(b * PointSize, PointSize).CopyTo(Alpha(packets[i].Span));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secrets);
            CryptographicOperations.ZeroMemory(blindingFactors);
        }
    }

    private static UnwrapResult CheckFraming(SphinxGeometry geometry, ReadOnlySpan<byte> packet)
    {
        if (packet.Length != geometry.PacketLength)
        {
            return UnwrapResult.InvalidLength;
        }

        return packet[0] != 0 || packet[1] != 0 ? UnwrapResult.InvalidVersion : UnwrapResult.Success;
    }

    private static Span<byte> Alpha(Span<byte> packet) => packet.Slice(SphinxGeometry.VersionLength, SphinxGeometry.GroupElementLength);

    /// <summary>
    /// Everything between the agreement and the re-blinding: MAC, replay tag, routing block, payload; for a packet
    /// that goes on, its next beta and gamma are written and <paramref name="blindingFactor"/> is filled (alpha is
    /// left for the caller to re-blind). <paramref name="blindingFactor"/> may be <paramref name="secret"/>'s buffer.
    /// </summary>
    [SkipLocalsInit] // every scratch byte is written before it is read
    private static UnwrapResult UnwrapAfterAgreement(SphinxGeometry geometry, Span<byte> packet, ReadOnlySpan<byte> secret, Span<byte> blindingFactor, out UnwrappedPacket result)
    {
        result = default;
        int routingLength = geometry.RoutingInfoLength;
        int macCovered = geometry.MacCoveredLength;
        Span<byte> alpha = Alpha(packet);
        Span<byte> beta = packet.Slice(SphinxGeometry.VersionLength + SphinxGeometry.GroupElementLength, routingLength);
        Span<byte> gamma = packet.Slice(macCovered, SphinxGeometry.MacLength);
        Span<byte> payload = packet[geometry.HeaderLength..];

        Span<byte> keys = stackalloc byte[SphinxKdf.OutputLength];
        Span<byte> routingBuffer = stackalloc byte[MaxStackRouting];
        Span<byte> routing = routingBuffer[..(routingLength + SphinxGeometry.PerHopRoutingInfoLength)];
        try
        {
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
                SphinxKdf.BlindingFactor(keys, blindingFactor);
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
            CryptographicOperations.ZeroMemory(keys);
            CryptographicOperations.ZeroMemory(routing);
        }
    }
}
