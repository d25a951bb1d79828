namespace Mixnode.Links.Wire;

/// <summary>
/// Outcome of <see cref="WireCodec.TryDecode(ReadOnlySpan{byte}, out WireCommand)"/>. Checks run in the order
/// listed, so a message with several faults reports the first.
/// </summary>
internal enum WireDecodeResult : byte
{
    Ok = 0,

    /// <summary>Fewer than the 6 header bytes.</summary>
    Truncated,

    /// <summary>Against a <see cref="WireFraming"/>: the message is not exactly the link's command size.</summary>
    WrongMessageSize,

    /// <summary>The id byte is not a command this codec knows.</summary>
    UnknownCommand,

    /// <summary>The header's reserved byte, or a reserved field inside the body, is not zero.</summary>
    NonZeroReserved,

    /// <summary>The length field claims more bytes than the message holds after the header.</summary>
    LengthExceedsMessage,

    /// <summary>The bytes after the body (the fixed-size padding) are not all zero.</summary>
    NonZeroPadding,

    /// <summary>The body is too short or too long for its command (or, against a framing, for the link's geometry).</summary>
    InvalidBodyLength,

    /// <summary>A <see cref="WireCommandId.Message"/> whose kind byte is not Message, Ack or Empty.</summary>
    UnknownMessageKind,
}
