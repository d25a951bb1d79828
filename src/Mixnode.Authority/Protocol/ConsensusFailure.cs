namespace Mixnode.Authority.Protocol;

/// <summary>Why no document was made for an epoch (a closed set: the <c>reason</c> tag of the failure counter).</summary>
internal enum ConsensusFailure
{
    /// <summary>Fewer usable votes (revealed, not equivocating) than the threshold.</summary>
    TooFewVotes,

    /// <summary>No threshold of votes proposed the same network parameters.</summary>
    ParametersDisagree,

    /// <summary>The document the votes make breaks a document rule (an empty layer, no provider, …).</summary>
    DocumentRefused,
}

internal static class ConsensusFailureTags
{
    public static string ToTag(this ConsensusFailure failure) => failure switch
    {
        ConsensusFailure.TooFewVotes => "too_few_votes",
        ConsensusFailure.ParametersDisagree => "parameters_disagree",
        ConsensusFailure.DocumentRefused => "document_refused",
        _ => "other",
    };
}
