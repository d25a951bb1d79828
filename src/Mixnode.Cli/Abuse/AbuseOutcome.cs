namespace Mixnode.Cli.Abuse;

/// <summary>How one attempt ended, as the per-second lines and the summary count it.</summary>
internal enum AbuseOutcome
{
    /// <summary>The node took what was sent.</summary>
    Succeeded,

    /// <summary>The node refused or closed: the connection, the handshake or the link ended on its side.</summary>
    Refused,

    /// <summary>Anything else: nothing listening, a timeout of our own, a bug in the tool (counted, never thrown).</summary>
    Error,
}
