namespace Mixnode.Node.Wire;

/// <summary>The first body byte of a <see cref="WireCommandId.Message"/> command (Katzenpost's <c>messageType</c>).</summary>
internal enum WireMessageKind : byte
{
    /// <summary>A message from the recipient's spool: hint, sequence, 14 reserved zero bytes, payload.</summary>
    Message = 0,

    /// <summary>A SURB reply: hint, sequence, 16-byte SURB id, payload.</summary>
    Ack = 1,

    /// <summary>The spool is empty: sequence only.</summary>
    Empty = 2,
}
