using Mixnode.Sphinx;

namespace Mixnode.Authority.Protocol;

/// <summary>A vote whose authority revealed the value it committed to: what the consensus is computed from.</summary>
internal sealed record RevealedVote(Vote Vote, Bytes32 Reveal);
