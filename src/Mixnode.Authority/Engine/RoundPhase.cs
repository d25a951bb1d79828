namespace Mixnode.Authority.Engine;

/// <summary>Where this authority is in the round that makes the document of one epoch.</summary>
internal enum RoundPhase
{
    /// <summary>Accepting descriptor uploads; no vote sent yet.</summary>
    Collecting,

    /// <summary>Own vote sent; collecting the peers' votes.</summary>
    Voted,

    /// <summary>Own reveal sent; collecting reveals, then computing the document.</summary>
    Revealed,

    /// <summary>Own certificate sent; collecting the peers' certificates.</summary>
    Signed,

    /// <summary>A threshold-signed document is held (made here, or fetched from a peer).</summary>
    Published,

    /// <summary>The epoch ended without a document from this round.</summary>
    Abandoned,
}
