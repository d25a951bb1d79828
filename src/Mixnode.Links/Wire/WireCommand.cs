namespace Mixnode.Links.Wire;

/// <summary>
/// One link command, decoded or about to be encoded. A ref struct so that <see cref="Payload"/> and
/// <see cref="SurbId"/> can be slices of the received message (or of the caller's buffer) with no copy.
/// Fields a command does not carry are zero/empty. Build with the factory methods.
/// </summary>
internal readonly ref struct WireCommand
{
    /// <summary>Which command.</summary>
    public WireCommandId Id { get; init; }

    /// <summary>For <see cref="WireCommandId.Message"/>: message, ACK or empty.</summary>
    public WireMessageKind MessageKind { get; init; }

    /// <summary>Message/ACK: how many more messages wait in the spool (saturating at 255).</summary>
    public byte QueueSizeHint { get; init; }

    /// <summary>RetrieveMessage and Message: the spool sequence number.</summary>
    public uint Sequence { get; init; }

    /// <summary>GetConsensus: the epoch asked for.</summary>
    public ulong Epoch { get; init; }

    /// <summary>Consensus: 0 ok, 1 not found, 2 gone (Katzenpost's <c>ConsensusOk/NotFound/Gone</c>); kept raw.</summary>
    public byte ErrorCode { get; init; }

    /// <summary>ACK: the 16-byte SURB id.</summary>
    public ReadOnlySpan<byte> SurbId { get; init; }

    /// <summary>SendPacket: the Sphinx packet. Message/ACK: the payload. Consensus: the document.</summary>
    public ReadOnlySpan<byte> Payload { get; init; }

    public static WireCommand NoOp() => new() { Id = WireCommandId.NoOp };

    public static WireCommand Disconnect() => new() { Id = WireCommandId.Disconnect };

    public static WireCommand SendPacket(ReadOnlySpan<byte> packet) => new() { Id = WireCommandId.SendPacket, Payload = packet };

    public static WireCommand RetrieveMessage(uint sequence) => new() { Id = WireCommandId.RetrieveMessage, Sequence = sequence };

    public static WireCommand Message(byte queueSizeHint, uint sequence, ReadOnlySpan<byte> payload) => new()
    {
        Id = WireCommandId.Message,
        MessageKind = WireMessageKind.Message,
        QueueSizeHint = queueSizeHint,
        Sequence = sequence,
        Payload = payload,
    };

    public static WireCommand MessageAck(byte queueSizeHint, uint sequence, ReadOnlySpan<byte> surbId, ReadOnlySpan<byte> payload) => new()
    {
        Id = WireCommandId.Message,
        MessageKind = WireMessageKind.Ack,
        QueueSizeHint = queueSizeHint,
        Sequence = sequence,
        SurbId = surbId,
        Payload = payload,
    };

    public static WireCommand MessageEmpty(uint sequence) => new()
    {
        Id = WireCommandId.Message,
        MessageKind = WireMessageKind.Empty,
        Sequence = sequence,
    };

    public static WireCommand GetConsensus(ulong epoch) => new() { Id = WireCommandId.GetConsensus, Epoch = epoch };

    public static WireCommand Consensus(byte errorCode, ReadOnlySpan<byte> payload) => new()
    {
        Id = WireCommandId.Consensus,
        ErrorCode = errorCode,
        Payload = payload,
    };

    /// <summary>Field-by-field equality (spans by content), for tests and vector checks.</summary>
    public bool ContentEquals(scoped in WireCommand other) =>
        Id == other.Id && MessageKind == other.MessageKind && QueueSizeHint == other.QueueSizeHint &&
        Sequence == other.Sequence && Epoch == other.Epoch && ErrorCode == other.ErrorCode &&
        SurbId.SequenceEqual(other.SurbId) && Payload.SequenceEqual(other.Payload);

    public override string ToString() =>
        $"{Id}{(Id == WireCommandId.Message ? "/" + MessageKind : "")} hint={QueueSizeHint} seq={Sequence} epoch={Epoch} error={ErrorCode} surbId={SurbId.Length}B payload={Payload.Length}B";
}
