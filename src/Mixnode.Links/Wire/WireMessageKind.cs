namespace Mixnode.Links.Wire;

/// <summary>Body byte 4 of a <see cref="WireCommandId.Message"/> command (Katzenpost's <c>messageType</c>).</summary>
internal enum WireMessageKind : byte
{
    /// <summary>A message from the recipient's spool: sequence, kind, hint, 14 reserved zero bytes, payload.</summary>
    Message = 0,

    /// <summary>A SURB reply: sequence, kind, hint, 16-byte SURB id, payload.</summary>
    Ack = 1,

    /// <summary>The spool is empty: sequence and kind (hint zero).</summary>
    Empty = 2,
}
