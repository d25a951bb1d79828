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

    /// <summary>Bytes of the scalar <see cref="UnwrapDeferringBlinding"/> hands out for <see cref="ReBlind"/>.</summary>
    public const int BlindingFactorLength = X25519.ScalarSize;

    private const int PointSize = X25519.PointSize;

    /// <summary>True when <see cref="UnwrapBatch"/> runs eight X25519 per call (else it unwraps one packet at a time).</summary>
    public static bool BatchAccelerated => X25519Batch.IsAvailable;

    /// <summary>Why batches are or are not accelerated, for start-up logs and bench output.</summary>
    public static string BatchStatus => X25519Batch.Status;

    [SkipLocalsInit] // every scratch byte is written before it is read
    public static UnwrapResult Unwrap(SphinxGeometry geometry, X25519PrivateKey key, Span<byte> packet, out UnwrappedPacket result)
    {
        Span<byte> blindingFactor = stackalloc byte[BlindingFactorLength];
        try
        {
            UnwrapResult outcome = UnwrapDeferringBlinding(geometry, key, packet, blindingFactor, out result);
            if (outcome != UnwrapResult.Success || result.Kind != UnwrappedKind.Forward)
            {
                return outcome;
            }

            if (!ReBlind(packet, blindingFactor))
            {
                result = default;
                return UnwrapResult.InvalidGroupElement;
            }

            return UnwrapResult.Success;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blindingFactor);
        }
    }

    /// <summary>
    /// <see cref="Unwrap"/> but for the re-blinding: a packet that goes on (<see cref="UnwrappedKind.Forward"/>) keeps
    /// the alpha it came with, and <paramref name="blindingFactor"/> (<see cref="BlindingFactorLength"/> bytes, a secret)
    /// receives the scalar that <see cref="ReBlind"/> or <see cref="ReBlindBatch"/> must apply before the packet is
    /// sent. A mix holds each packet for its delay anyway, so it can re-blind the waiting packets eight at a time.
    /// Everything else (MAC, replay tag, commands, payload, next beta and gamma) is done and final.
    /// </summary>
    [SkipLocalsInit] // every scratch byte is written before it is read
    public static UnwrapResult UnwrapDeferringBlinding(SphinxGeometry geometry, X25519PrivateKey key, Span<byte> packet, Span<byte> blindingFactor, out UnwrappedPacket result)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentOutOfRangeException.ThrowIfLessThan(blindingFactor.Length, BlindingFactorLength, nameof(blindingFactor));
        result = default;
        UnwrapResult check = CheckFraming(geometry, packet);
        if (check != UnwrapResult.Success)
        {
            return check;
        }

        Span<byte> secret = stackalloc byte[PointSize];
        try
        {
            if (!key.Agree(Alpha(packet), secret))
            {
                return UnwrapResult.InvalidGroupElement;
            }

            return UnwrapAfterAgreement(geometry, packet, secret, blindingFactor, out result);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Re-blinds a packet's alpha with the factor <see cref="UnwrapDeferringBlinding"/> gave. False (alpha untouched)
    /// when the result is the identity, which cannot happen for an alpha whose agreement succeeded.
    /// </summary>
    [SkipLocalsInit] // every scratch byte is written before it is read
    public static bool ReBlind(Span<byte> packet, ReadOnlySpan<byte> blindingFactor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(packet.Length, SphinxGeometry.VersionLength + PointSize, nameof(packet));
        Span<byte> alpha = Alpha(packet);
        Span<byte> blinded = stackalloc byte[PointSize];
        if (!X25519.ScalarMult(blindingFactor[..BlindingFactorLength], alpha, blinded))
        {
            return false;
        }

        blinded.CopyTo(alpha);
        return true;
    }

    /// <summary>
    /// <see cref="ReBlind"/> for up to <see cref="MaxBatch"/> packets, packet i with the i-th factor of
    /// <paramref name="blindingFactors"/>: one eight-lane X25519 when <see cref="BatchAccelerated"/> and there are two
    /// or more. Returns a bit mask of the packets that failed (their alpha untouched); 0 when all were re-blinded.
    /// </summary>
    [SkipLocalsInit] // every scratch byte is written before it is read
    public static int ReBlindBatch(ReadOnlySpan<Memory<byte>> packets, ReadOnlySpan<byte> blindingFactors)
    {
        int count = packets.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBatch, nameof(packets));
        ArgumentOutOfRangeException.ThrowIfLessThan(blindingFactors.Length, count * BlindingFactorLength, nameof(blindingFactors));
        if (count < 2 || !X25519Batch.IsAvailable)
        {
            int failed = 0;
            for (int i = 0; i < count; i++)
            {
                if (!ReBlind(packets[i].Span, blindingFactors.Slice(i * BlindingFactorLength, BlindingFactorLength)))
                {
                    failed |= 1 << i;
                }
            }

            return failed;
        }

        Span<byte> points = stackalloc byte[MaxBatch * PointSize];
        Span<byte> blinded = stackalloc byte[MaxBatch * PointSize];
        for (int i = 0; i < count; i++)
        {
            Alpha(packets[i].Span).CopyTo(points.Slice(i * PointSize, PointSize));
        }

        int lowOrder = X25519Batch.ScalarMult(blindingFactors[..(count * PointSize)], points[..(count * PointSize)], blinded[..(count * PointSize)], count);
        for (int i = 0; i < count; i++)
        {
            if ((lowOrder & (1 << i)) == 0)
            {
                blinded.Slice(i * PointSize, PointSize).CopyTo(Alpha(packets[i].Span));
            }
        }

        return lowOrder;
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
        int count = packets.Length;
        Span<byte> blindingFactors = stackalloc byte[MaxBatch * BlindingFactorLength];
        try
        {
            UnwrapBatchDeferringBlinding(geometry, key, packets, results, unwrapped, blindingFactors);
            PacketBatch forwards = default;
            Span<int> forwardPacket = stackalloc int[MaxBatch];
            int blinds = 0;
            for (int i = 0; i < count; i++)
            {
                if (results[i] == UnwrapResult.Success && unwrapped[i].Kind == UnwrappedKind.Forward)
                {
                    // Factor i moves down to slot blinds (blinds <= i, so nothing unread is overwritten).
                    blindingFactors.Slice(i * BlindingFactorLength, BlindingFactorLength).CopyTo(blindingFactors.Slice(blinds * BlindingFactorLength, BlindingFactorLength));
                    forwards[blinds] = packets[i];
                    forwardPacket[blinds++] = i;
                }
            }

            int failed = ReBlindBatch(((ReadOnlySpan<Memory<byte>>)forwards)[..blinds], blindingFactors);
            for (int b = 0; b < blinds; b++)
            {
                if ((failed & (1 << b)) != 0)
                {
                    results[forwardPacket[b]] = UnwrapResult.InvalidGroupElement;
                    unwrapped[forwardPacket[b]] = default;
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(blindingFactors);
        }
    }

    /// <summary>
    /// <see cref="UnwrapDeferringBlinding"/> for each of up to <see cref="MaxBatch"/> packets with one key, the
    /// agreements as one eight-lane X25519 when <see cref="BatchAccelerated"/>: packet i's factor (when it is a
    /// forward) is written at <c>i * BlindingFactorLength</c> of <paramref name="blindingFactors"/>.
    /// </summary>
    [SkipLocalsInit] // every scratch byte is written before it is read
    public static void UnwrapBatchDeferringBlinding(SphinxGeometry geometry, X25519PrivateKey key, ReadOnlySpan<Memory<byte>> packets, Span<UnwrapResult> results, Span<UnwrappedPacket> unwrapped, Span<byte> blindingFactors)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(key);
        int count = packets.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBatch, nameof(packets));
        ArgumentOutOfRangeException.ThrowIfLessThan(results.Length, count, nameof(results));
        ArgumentOutOfRangeException.ThrowIfLessThan(unwrapped.Length, count, nameof(unwrapped));
        ArgumentOutOfRangeException.ThrowIfLessThan(blindingFactors.Length, count * BlindingFactorLength, nameof(blindingFactors));
        if (count < 2 || !X25519Batch.IsAvailable)
        {
            for (int i = 0; i < count; i++)
            {
                results[i] = UnwrapDeferringBlinding(geometry, key, packets[i].Span, blindingFactors.Slice(i * BlindingFactorLength, BlindingFactorLength), out unwrapped[i]);
            }

            return;
        }

        // Lane l of the agreement holds packet lanePacket[l].
        Span<byte> points = stackalloc byte[MaxBatch * PointSize];
        Span<byte> secrets = stackalloc byte[MaxBatch * PointSize];
        Span<int> lanePacket = stackalloc int[MaxBatch];
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

            for (int lane = 0; lane < lanes; lane++)
            {
                int i = lanePacket[lane];
                results[i] = (lowOrder & (1 << lane)) != 0
                    ? UnwrapResult.InvalidGroupElement
                    : UnwrapAfterAgreement(geometry, packets[i].Span, secrets.Slice(lane * PointSize, PointSize), blindingFactors.Slice(i * BlindingFactorLength, BlindingFactorLength), out unwrapped[i]);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secrets);
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

    /// <summary>Up to <see cref="MaxBatch"/> packet buffers on the stack (the forwards of a batch, to re-blind together).</summary>
    [InlineArray(MaxBatch)]
    private struct PacketBatch
    {
        private Memory<byte> _element;
    }
}
