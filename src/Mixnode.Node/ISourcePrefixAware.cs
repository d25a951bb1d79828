using Mixnode.Links;

namespace Mixnode.Node;

/// <summary>
/// A link command handler that charges what a session does to the session's source prefix as well (client links: a
/// fresh client key must not bring a fresh rate allowance). The listener calls it once per admitted connection,
/// before the handshake, and once when the connection ends.
/// </summary>
internal interface ISourcePrefixAware
{
    /// <summary>Ties the session to its prefix; false refuses the connection (the handler cannot track another prefix now).</summary>
    bool TryAttach(LinkSession session, SourcePrefix prefix);

    /// <summary>The session ended: lets go of its prefix.</summary>
    void Detach(LinkSession session);
}
