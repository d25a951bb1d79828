using System.Security.Cryptography;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx;

/// <summary>
/// Single-use reply blocks: a creator makes a SURB (a header towards itself plus a fresh payload key) and
/// keeps the decryption keys; anyone holding the SURB can send one reply without learning the route;
/// the creator decrypts what arrives. Layouts in <c>docs/sphinx.md</c>, "SURBs".
/// </summary>
public static class SurbBuilder
{
    /// <summary>
    /// Creates a SURB for <paramref name="path"/>, whose last hop's commands should hold Recipient and SURBReply
    /// (the creator's mailbox and the id it will match the reply by). Writes SurbLength bytes to
    /// <paramref name="surb"/> and <see cref="SphinxGeometry.SurbKeysLength"/>(path.Length) bytes to
    /// <paramref name="surbKeys"/>, which the creator keeps secret until the reply arrives.
    /// </summary>
    public static void CreateSurb(SphinxGeometry geometry, ReadOnlySpan<PathHop> path, Span<byte> surb, Span<byte> surbKeys)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (surb.Length != geometry.SurbLength)
        {
            throw new ArgumentException($"the SURB buffer must be {geometry.SurbLength} bytes, got {surb.Length}", nameof(surb));
        }

        int keysLength = SphinxGeometry.SurbKeysLength(path.Length);
        if (surbKeys.Length != keysLength)
        {
            throw new ArgumentException($"the SURB key buffer must be {keysLength} bytes for {path.Length} hops, got {surbKeys.Length}", nameof(surbKeys));
        }

        const int hopKeyLength = SphinxHeaderBuilder.HopPayloadKeyLength;
        byte[] hopKeys = GC.AllocateArray<byte>(path.Length * hopKeyLength, pinned: true);
        try
        {
            int headerLength = geometry.HeaderLength;
            SphinxHeaderBuilder.Build(geometry, path, surb[..headerLength], hopKeys);
            path[0].NodeId.AsReadOnlySpan().CopyTo(surb[headerLength..]);
            Span<byte> surbKey = surb.Slice(headerLength + SphinxGeometry.NodeIdLength, SphinxGeometry.SurbKeyLength + SphinxGeometry.SurbNonceLength);
            RandomNumberGenerator.Fill(surbKey);

            // Kept keys: the last hop's first, so that reading a reply re-applies the hops in reverse order.
            for (int i = path.Length - 1, at = 0; i >= 0; i--, at += hopKeyLength)
            {
                hopKeys.AsSpan(i * hopKeyLength, hopKeyLength).CopyTo(surbKeys[at..]);
            }

            surbKey.CopyTo(surbKeys[(path.Length * hopKeyLength)..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hopKeys);
        }
    }

    /// <summary>
    /// Makes the reply packet for a SURB: the SURB's header and <paramref name="message"/> (exactly
    /// ForwardPayloadLength bytes) encrypted under the SURB key. Send it to <paramref name="firstHop"/>.
    /// </summary>
    public static void CreateReply(SphinxGeometry geometry, ReadOnlySpan<byte> surb, ReadOnlySpan<byte> message, Span<byte> packet, out Bytes32 firstHop)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (surb.Length != geometry.SurbLength)
        {
            throw new ArgumentException($"a SURB must be {geometry.SurbLength} bytes, got {surb.Length}", nameof(surb));
        }

        if (message.Length != geometry.ForwardPayloadLength)
        {
            throw new ArgumentException($"the message must be exactly {geometry.ForwardPayloadLength} bytes (pad it), got {message.Length}", nameof(message));
        }

        if (packet.Length != geometry.PacketLength)
        {
            throw new ArgumentException($"the packet buffer must be {geometry.PacketLength} bytes, got {packet.Length}", nameof(packet));
        }

        int headerLength = geometry.HeaderLength;
        surb[..headerLength].CopyTo(packet);
        firstHop = Bytes32.From(surb.Slice(headerLength, SphinxGeometry.NodeIdLength));
        ReadOnlySpan<byte> key = surb.Slice(headerLength + SphinxGeometry.NodeIdLength, SphinxGeometry.SurbKeyLength);
        ReadOnlySpan<byte> nonce = surb.Slice(headerLength + SphinxGeometry.NodeIdLength + SphinxGeometry.SurbKeyLength, SphinxGeometry.SurbNonceLength);

        Span<byte> payload = packet[headerLength..];
        payload[..SphinxGeometry.PayloadTagLength].Clear();
        message.CopyTo(payload[SphinxGeometry.PayloadTagLength..]);
        Aez.Encrypt(key, nonce, payload, payload);
    }

    /// <summary>
    /// Decrypts, in place, the payload a last hop handed on with a SURB id (tag included, PayloadLength bytes),
    /// using the keys kept from <see cref="CreateSurb"/>. On success the message is
    /// <c>payload[32..]</c>.
    /// </summary>
    public static ReplyDecryptResult TryDecryptReply(SphinxGeometry geometry, ReadOnlySpan<byte> surbKeys, Span<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (payload.Length != geometry.PayloadLength)
        {
            return ReplyDecryptResult.InvalidLength;
        }

        const int hopKeyLength = SphinxHeaderBuilder.HopPayloadKeyLength;
        int layers = (surbKeys.Length / hopKeyLength) - 1;
        if (surbKeys.Length % hopKeyLength != 0 || layers < 1 || layers > geometry.NrHops)
        {
            return ReplyDecryptResult.InvalidKeys;
        }

        // Each hop AEZ-decrypted the reply; undo that with encryption, last hop first.
        for (int i = 0; i < layers; i++)
        {
            ReadOnlySpan<byte> hop = surbKeys.Slice(i * hopKeyLength, hopKeyLength);
            Aez.Encrypt(hop[..Aez.KeySize], hop[Aez.KeySize..], payload, payload);
        }

        ReadOnlySpan<byte> surbKey = surbKeys.Slice(layers * hopKeyLength, hopKeyLength);
        Aez.Decrypt(surbKey[..Aez.KeySize], surbKey[Aez.KeySize..], payload, payload);
        return payload[..SphinxGeometry.PayloadTagLength].ContainsAnyExcept((byte)0)
            ? ReplyDecryptResult.PayloadTagMismatch
            : ReplyDecryptResult.Success;
    }
}
