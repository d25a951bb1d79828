namespace Mixnode.Sphinx;

/// <summary>
/// The sizes every node and client of one network agree on (Katzenpost's Sphinx geometry, X25519 "v0").
/// All lengths derive from <see cref="NrHops"/> and <see cref="ForwardPayloadLength"/>; see
/// <c>docs/sphinx.md</c> for the layout. Immutable; validated at construction.
/// </summary>
public sealed record SphinxGeometry
{
    /// <summary>Bytes of the version field in front of every header (always 0x00 0x00).</summary>
    public const int VersionLength = 2;

    /// <summary>X25519 group element (alpha).</summary>
    public const int GroupElementLength = 32;

    /// <summary>HMAC-SHA256 tag (gamma).</summary>
    public const int MacLength = 32;

    /// <summary>Routing block of one hop: NextNodeHop (65) + SURBReply (17).</summary>
    public const int PerHopRoutingInfoLength = 82;

    /// <summary>Zero bytes in front of the payload, checked at the exit.</summary>
    public const int PayloadTagLength = 32;

    /// <summary>First-hop node id, AEZ key and AEZ nonce that follow a header inside a SURB.</summary>
    public const int SurbTrailerLength = NodeIdLength + SurbKeyLength + SurbNonceLength;

    public const int NodeIdLength = 32;
    public const int SurbIdLength = 16;
    public const int SurbKeyLength = 48;
    public const int SurbNonceLength = 16;

    /// <summary>The largest route a geometry may describe; beyond it headers grow past any sane packet.</summary>
    public const int MaxHops = 32;

    /// <summary>Upper bound on the forward payload, so that every length fits comfortably in an int.</summary>
    public const int MaxForwardPayloadLength = 1 << 24;

    /// <summary>Katzenpost's deployed default: 5 hops, 2000-byte user payload with room for a SURB: 3082-byte packets.</summary>
    public static SphinxGeometry Default { get; } = WithUserPayload(5, 2000, withSurb: true);

    /// <summary>The geometry of the published Katzenpost vectors: 5 hops, 103-byte payload without SURB space: 611-byte packets.</summary>
    public static SphinxGeometry KatzenpostVectors { get; } = new(5, 103);

    public SphinxGeometry(int nrHops, int forwardPayloadLength)
    {
        if (TryValidate(nrHops, forwardPayloadLength) is { } error)
        {
            throw new ArgumentException(error);
        }

        NrHops = nrHops;
        ForwardPayloadLength = forwardPayloadLength;
    }

    /// <summary>Maximum hops of a route.</summary>
    public int NrHops { get; }

    /// <summary>Bytes of the message carried by a packet (after the 32-byte tag); callers pad to exactly this.</summary>
    public int ForwardPayloadLength { get; }

    /// <summary><c>82 · NrHops</c>: the encrypted routing information (beta).</summary>
    public int RoutingInfoLength => PerHopRoutingInfoLength * NrHops;

    /// <summary><c>2 + 32 + RoutingInfoLength + 32</c>.</summary>
    public int HeaderLength => VersionLength + GroupElementLength + RoutingInfoLength + MacLength;

    /// <summary>The span the header MAC covers: version, alpha and beta.</summary>
    public int MacCoveredLength => VersionLength + GroupElementLength + RoutingInfoLength;

    /// <summary>A SURB: header, first-hop node id, AEZ key, AEZ nonce.</summary>
    public int SurbLength => HeaderLength + SurbTrailerLength;

    /// <summary>Tag plus message: what AEZ enciphers.</summary>
    public int PayloadLength => PayloadTagLength + ForwardPayloadLength;

    public int PacketLength => HeaderLength + PayloadLength;

    /// <summary>Bytes of reply-decryption keys kept by a SURB's creator for a route of <paramref name="hops"/> hops.</summary>
    public static int SurbKeysLength(int hops) => (SurbKeyLength + SurbNonceLength) * (hops + 1);

    /// <summary>
    /// Katzenpost's way of sizing: a user payload, plus, when packets must carry a reply block, a 2-byte
    /// length and a SURB (<c>ForwardPayloadLength = user + 2 + SURBLength</c>).
    /// </summary>
    public static SphinxGeometry WithUserPayload(int nrHops, int userForwardPayloadLength, bool withSurb)
    {
        if (TryValidate(nrHops, 0) is { } error)
        {
            throw new ArgumentException(error);
        }

        int surbSpace = withSurb ? 2 + VersionLength + GroupElementLength + (PerHopRoutingInfoLength * nrHops) + MacLength + SurbTrailerLength : 0;
        if (userForwardPayloadLength < 0 || userForwardPayloadLength > MaxForwardPayloadLength - surbSpace)
        {
            throw new ArgumentException($"user forward payload length must be between 0 and {MaxForwardPayloadLength - surbSpace}, got {userForwardPayloadLength}");
        }

        return new SphinxGeometry(nrHops, userForwardPayloadLength + surbSpace);
    }

    /// <summary>Returns why a geometry is impossible, or null when it is valid.</summary>
    public static string? TryValidate(int nrHops, int forwardPayloadLength)
    {
        if (nrHops < 1 || nrHops > MaxHops)
        {
            return $"NrHops must be between 1 and {MaxHops}, got {nrHops}";
        }

        if (forwardPayloadLength < 0 || forwardPayloadLength > MaxForwardPayloadLength)
        {
            return $"ForwardPayloadLength must be between 0 and {MaxForwardPayloadLength}, got {forwardPayloadLength}";
        }

        return null;
    }

    public override string ToString() =>
        $"Sphinx geometry: {NrHops} hops, header {HeaderLength} B, payload {ForwardPayloadLength} B, packet {PacketLength} B";
}
