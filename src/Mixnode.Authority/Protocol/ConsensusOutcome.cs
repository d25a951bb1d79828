using Mixnode.Pki;

namespace Mixnode.Authority.Protocol;

/// <summary>The document the votes make and the exact payload bytes to sign, or why there is none.</summary>
internal sealed record ConsensusOutcome(NetworkDocument? Document, byte[]? Payload, ConsensusFailure? Failure, string Explanation)
{
    public static ConsensusOutcome Failed(ConsensusFailure failure, string explanation) => new(null, null, failure, explanation);
}
