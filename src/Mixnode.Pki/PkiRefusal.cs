namespace Mixnode.Pki;

/// <summary>
/// Why a descriptor, vote or document was refused. A closed set: it is the <c>reason</c> tag of the refusal
/// counters and never carries who sent the object.
/// </summary>
internal enum PkiRefusal
{
    /// <summary>Not parseable: bad JSON, a missing or mistyped field, a key of the wrong length.</summary>
    Malformed,

    /// <summary>Larger than the size limit.</summary>
    Oversized,

    /// <summary>The signature does not verify.</summary>
    BadSignature,

    /// <summary>Signed by a key this party does not know (an unlisted node or authority).</summary>
    UnknownSigner,

    /// <summary>For an epoch this party does not accept now (too old, too far ahead).</summary>
    WrongEpoch,

    /// <summary>Arrived after the deadline for its epoch.</summary>
    Late,

    /// <summary>A second, different object for the same signer and epoch.</summary>
    Duplicate,

    /// <summary>An address outside the authority's policy.</summary>
    AddressPolicy,

    /// <summary>The content breaks a document rule (roles, keys for the epochs, geometry).</summary>
    Invalid,

    /// <summary>Fewer valid authority signatures than the threshold.</summary>
    BelowThreshold,

    /// <summary>Older than the newest document already accepted.</summary>
    Rollback,

    /// <summary>The sender's clock is further off than the allowed skew.</summary>
    ClockSkew,

    /// <summary>An authority signed two different votes for one epoch.</summary>
    Equivocation,
}

internal static class PkiRefusalTags
{
    public static string ToTag(this PkiRefusal reason) => reason switch
    {
        PkiRefusal.Malformed => "malformed",
        PkiRefusal.Oversized => "oversized",
        PkiRefusal.BadSignature => "bad_signature",
        PkiRefusal.UnknownSigner => "unknown_signer",
        PkiRefusal.WrongEpoch => "wrong_epoch",
        PkiRefusal.Late => "late",
        PkiRefusal.Duplicate => "duplicate",
        PkiRefusal.AddressPolicy => "address_policy",
        PkiRefusal.Invalid => "invalid",
        PkiRefusal.BelowThreshold => "below_threshold",
        PkiRefusal.Rollback => "rollback",
        PkiRefusal.ClockSkew => "clock_skew",
        PkiRefusal.Equivocation => "equivocation",
        _ => "other",
    };
}
