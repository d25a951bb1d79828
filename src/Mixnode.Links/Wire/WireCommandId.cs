namespace Mixnode.Links.Wire;

/// <summary>
/// The first byte of every link message: Katzenpost's <c>core/wire/commands</c> command ids. Generic commands
/// are 0–2; 16 and up are "implementation defined" (provider/client and directory commands).
/// </summary>
internal enum WireCommandId : byte
{
    NoOp = 0,
    Disconnect = 1,
    SendPacket = 2,
    RetrieveMessage = 16,

    /// <summary>A spooled message, an ACK or "queue empty"; <see cref="WireMessageKind"/> says which.</summary>
    Message = 17,
    GetConsensus = 18,
    Consensus = 19,
}
