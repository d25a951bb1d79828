namespace Mixnode.Links.Wire;

/// <summary>Outcome of <see cref="WireCodec.TryEncode(in WireCommand, Span{byte}, out int)"/>.</summary>
internal enum WireEncodeResult : byte
{
    Ok = 0,

    /// <summary>The destination span cannot hold the command (or the padded size asked for).</summary>
    DestinationTooSmall,

    /// <summary>The command is larger than the link's fixed command size.</summary>
    ExceedsCommandSize,

    /// <summary>An unknown id or message kind, or a field of the wrong length (a SURB id not 16 bytes).</summary>
    InvalidCommand,
}
