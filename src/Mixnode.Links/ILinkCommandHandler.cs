using Mixnode.Links.Wire;

namespace Mixnode.Links;

/// <summary>Receives the commands a session decrypts (NoOp and Disconnect are handled by the session itself).</summary>
internal interface ILinkCommandHandler
{
    /// <summary>Handles one command; false when the link must not carry it (the session closes, reason malformed_command).</summary>
    bool Handle(LinkSession session, in WireCommand command);

    /// <summary>
    /// Called once after the commands of one read were handled, also when the link then closes: a handler that hands
    /// work on per command can tell its consumers once per read instead (<see cref="Unwrap.IngressQueue.EndOfBurst"/>).
    /// </summary>
    void ReadHandled(LinkSession session)
    {
    }

    /// <summary>How long the session should stop reading before the next frames (rate limiting); zero by default.</summary>
    TimeSpan ReadPause(LinkSession session) => TimeSpan.Zero;

    /// <summary>Called once when the session's receive loop has ended (the session is closed by then): release what it held.</summary>
    void Closed(LinkSession session)
    {
    }
}
