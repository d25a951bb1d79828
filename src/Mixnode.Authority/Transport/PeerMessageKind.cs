namespace Mixnode.Authority.Transport;

/// <summary>The messages authorities send each other, each to its own path of the HTTP API.</summary>
internal enum PeerMessageKind
{
    Vote,
    Reveal,
    Certificate,
}

internal static class PeerMessageKindPaths
{
    public const string VotePath = "v1/vote";
    public const string RevealPath = "v1/reveal";
    public const string CertificatePath = "v1/signature";

    public static string ToPath(this PeerMessageKind kind) => kind switch
    {
        PeerMessageKind.Vote => VotePath,
        PeerMessageKind.Reveal => RevealPath,
        _ => CertificatePath,
    };

    /// <summary>The <c>kind</c> tag of the refusal counter.</summary>
    public static string ToTag(this PeerMessageKind kind) => kind switch
    {
        PeerMessageKind.Vote => "vote",
        PeerMessageKind.Reveal => "reveal",
        _ => "certificate",
    };
}
