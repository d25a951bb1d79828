using Mixnode.Authority.Protocol;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Engine;

/// <summary>Everything one authority holds for the document of one epoch (guarded by the engine's lock).</summary>
internal sealed class EpochRound
{
    public EpochRound(long epoch) => Epoch = epoch;

    /// <summary>The epoch the document is for.</summary>
    public long Epoch { get; }

    public RoundPhase Phase { get; set; }

    /// <summary>When the current phase began (a late round gives every phase at least the phase timeout).</summary>
    public DateTimeOffset PhaseStarted { get; set; }

    /// <summary>Accepted uploads by identity key; the last accepted upload of a node wins.</summary>
    public Dictionary<Bytes32, SignedDescriptor> Uploads { get; } = [];

    public Vote? OwnVote { get; set; }

    public Bytes32 OwnReveal { get; set; }

    /// <summary>One vote per authority (own included); equivocators' votes are removed.</summary>
    public Dictionary<Bytes32, Vote> Votes { get; } = [];

    public HashSet<Bytes32> Equivocators { get; } = [];

    /// <summary>The conflicting votes of equivocators, passed on in this authority's reveal.</summary>
    public List<ReadOnlyMemory<byte>> Evidence { get; } = [];

    public Dictionary<Bytes32, Reveal> Reveals { get; } = [];

    public Dictionary<Bytes32, Certificate> Certificates { get; } = [];

    /// <summary>Certificates already checked against this authority's payload.</summary>
    public HashSet<Certificate> CheckedCertificates { get; } = [];

    /// <summary>Valid document signatures over this authority's payload, by authority.</summary>
    public Dictionary<Bytes32, byte[]> ValidSignatures { get; } = [];

    /// <summary>Counts every message that changed the round, so the document is recomputed only when something did.</summary>
    public int Version { get; set; }

    public int ComputedAtVersion { get; set; } = -1;

    public ConsensusOutcome? Outcome { get; set; }

    public bool FailureReported { get; set; }

    public bool PublishFailureReported { get; set; }

    public Bytes32 PayloadHash { get; set; }
}
