using System.Security.Cryptography;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx;

/// <summary>
/// Builds a Sphinx header for a route (<c>docs/sphinx.md</c>, "Creating a forward packet", steps 1–5) and
/// hands back each hop's payload key and nonce, which the forward packet and the SURB use differently.
/// Client side: allocation is acceptable, but every secret is cleared before returning.
/// </summary>
internal static class SphinxHeaderBuilder
{
    /// <summary>Per hop: AEZ payload key (48) ‖ nonce (16).</summary>
    public const int HopPayloadKeyLength = Aez.KeySize + Aez.NonceSize;

    /// <param name="geometry">The network's geometry.</param>
    /// <param name="path">1..NrHops hops.</param>
    /// <param name="header">Receives HeaderLength bytes.</param>
    /// <param name="hopPayloadKeys">Receives path.Length × 64 bytes: for hop i, at i·64, its AEZ key and nonce.</param>
    public static void Build(SphinxGeometry geometry, ReadOnlySpan<PathHop> path, Span<byte> header, Span<byte> hopPayloadKeys)
    {
        ValidatePath(geometry, path);
        int n = path.Length;
        int nrHops = geometry.NrHops;
        const int block = SphinxGeometry.PerHopRoutingInfoLength;
        int routingLength = geometry.RoutingInfoLength;
        int keystreamLength = routingLength + block;

        if (header.Length != geometry.HeaderLength)
        {
            throw new ArgumentException($"header buffer must be {geometry.HeaderLength} bytes, got {header.Length}", nameof(header));
        }

        if (hopPayloadKeys.Length != n * HopPayloadKeyLength)
        {
            throw new ArgumentException($"hop key buffer must be {n * HopPayloadKeyLength} bytes, got {hopPayloadKeys.Length}", nameof(hopPayloadKeys));
        }

        byte[] ephemeral = GC.AllocateArray<byte>(X25519.ScalarSize, pinned: true);
        byte[] keys = GC.AllocateArray<byte>(n * SphinxKdf.OutputLength, pinned: true);
        byte[] blinding = GC.AllocateArray<byte>(n * SphinxKdf.BlindingFactorLength, pinned: true);
        byte[] secret = GC.AllocateArray<byte>(X25519.PointSize, pinned: true);
        byte[] keystreams = GC.AllocateArray<byte>(n * keystreamLength, pinned: true);
        byte[] alphas = new byte[n * X25519.PointSize];
        byte[] pads = new byte[Math.Max(0, n - 1) * routingLength];
        byte[] routing = new byte[routingLength];
        byte[] macInput = new byte[geometry.MacCoveredLength];
        Span<byte> mac = stackalloc byte[HmacSha256.TagSize];
        try
        {
            RandomNumberGenerator.Fill(ephemeral);
            X25519.ScalarMultBase(ephemeral, alphas.AsSpan(0, X25519.PointSize));

            // Step 1: each hop's shared secret, as the hop will compute it from the alpha it receives.
            for (int i = 0; i < n; i++)
            {
                if (!X25519.ScalarMult(ephemeral, path[i].PublicKey.AsReadOnlySpan(), secret))
                {
                    throw new ArgumentException($"the public key of hop {i} is a low-order point", nameof(path));
                }

                for (int j = 0; j < i; j++)
                {
                    X25519.ScalarMult(blinding.AsSpan(j * 32, 32), secret, secret);
                }

                Span<byte> hopKeys = keys.AsSpan(i * SphinxKdf.OutputLength, SphinxKdf.OutputLength);
                SphinxKdf.Derive(secret, hopKeys);
                SphinxKdf.BlindingFactor(hopKeys, blinding.AsSpan(i * 32, 32));
                if (i > 0)
                {
                    X25519.ScalarMult(blinding.AsSpan((i - 1) * 32, 32), alphas.AsSpan((i - 1) * 32, 32), alphas.AsSpan(i * 32, 32));
                }

                SphinxKdf.PayloadKey(hopKeys).CopyTo(hopPayloadKeys.Slice(i * HopPayloadKeyLength, Aez.KeySize));
                SphinxKdf.HeaderIv(hopKeys).CopyTo(hopPayloadKeys.Slice((i * HopPayloadKeyLength) + Aez.KeySize, Aez.NonceSize));
                Aes256Ctr.Keystream(SphinxKdf.HeaderKey(hopKeys), SphinxKdf.HeaderIv(hopKeys), keystreams.AsSpan(i * keystreamLength, keystreamLength));
            }

            // Step 2: the filler. pad_i is what hop i+1 sees at the end of its beta: the bytes each earlier hop's
            // decryption shifted in, so the MACs can be computed over exactly what each hop will receive.
            for (int i = 0; i < n - 1; i++)
            {
                int padLength = (i + 1) * block;
                Span<byte> pad = pads.AsSpan(i * routingLength, padLength);
                keystreams.AsSpan((i * keystreamLength) + ((nrHops - i) * block), padLength).CopyTo(pad);
                if (i > 0)
                {
                    Xor(pad[..(i * block)], pads.AsSpan((i - 1) * routingLength, i * block));
                }
            }

            // Step 3: unused hops' routing space is random, so a short route looks like a long one.
            if (n < nrHops)
            {
                RandomNumberGenerator.Fill(routing.AsSpan(n * block));
            }

            // Step 4: from the last hop to the first, prepend each hop's block, encrypt, MAC.
            for (int i = n - 1; i >= 0; i--)
            {
                RoutingCommands commands = path[i].Commands;
                if (i < n - 1)
                {
                    commands = commands.WithNextNodeHop(path[i + 1].NodeId.AsReadOnlySpan(), mac);
                }

                RoutingCommandCodec.TryEncode(commands, routing.AsSpan(i * block, block));
                Span<byte> hopRouting = routing.AsSpan(i * block);
                Xor(hopRouting, keystreams.AsSpan(i * keystreamLength, hopRouting.Length));

                macInput[0] = 0;
                macInput[1] = 0;
                alphas.AsSpan(i * 32, 32).CopyTo(macInput.AsSpan(SphinxGeometry.VersionLength));
                hopRouting.CopyTo(macInput.AsSpan(SphinxGeometry.VersionLength + SphinxGeometry.GroupElementLength));
                if (i > 0)
                {
                    pads.AsSpan((i - 1) * routingLength, i * block).CopyTo(macInput.AsSpan(SphinxGeometry.VersionLength + SphinxGeometry.GroupElementLength + hopRouting.Length));
                }

                HmacSha256.Compute(SphinxKdf.MacKey(keys.AsSpan(i * SphinxKdf.OutputLength, SphinxKdf.OutputLength)), macInput, mac);
            }

            // Step 5: 00 00 ‖ alpha_0 ‖ routing ‖ mac_0.
            header[0] = 0;
            header[1] = 0;
            alphas.AsSpan(0, 32).CopyTo(header[SphinxGeometry.VersionLength..]);
            routing.CopyTo(header[(SphinxGeometry.VersionLength + SphinxGeometry.GroupElementLength)..]);
            mac.CopyTo(header[geometry.MacCoveredLength..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
            CryptographicOperations.ZeroMemory(keys);
            CryptographicOperations.ZeroMemory(blinding);
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(keystreams);
        }
    }

    private static void ValidatePath(SphinxGeometry geometry, ReadOnlySpan<PathHop> path)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (path.Length < 1 || path.Length > geometry.NrHops)
        {
            throw new ArgumentException($"a route must have 1 to {geometry.NrHops} hops, got {path.Length}", nameof(path));
        }

        for (int i = 0; i < path.Length; i++)
        {
            RoutingCommands commands = path[i].Commands;
            if (commands.HasNextNodeHop)
            {
                throw new ArgumentException($"hop {i}: NextNodeHop is added by the builder, not given as a user command", nameof(path));
            }

            bool last = i == path.Length - 1;
            int room = last ? SphinxGeometry.PerHopRoutingInfoLength : SphinxGeometry.PerHopRoutingInfoLength - RoutingCommandCodec.NextNodeHopLength;
            if (commands.UserCommandsLength > room)
            {
                throw new ArgumentException($"hop {i}: user commands take {commands.UserCommandsLength} bytes, but only {room} fit on {(last ? "the last hop" : "a hop that forwards")}", nameof(path));
            }
        }
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> with)
    {
        for (int k = 0; k < target.Length; k++)
        {
            target[k] ^= with[k];
        }
    }
}
