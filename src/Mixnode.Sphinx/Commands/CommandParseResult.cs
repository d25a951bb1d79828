namespace Mixnode.Sphinx.Commands;

/// <summary>Outcome of parsing a per-hop routing block; each failure names what was wrong.</summary>
public enum CommandParseResult : byte
{
    Ok = 0,

    /// <summary>A tag byte that is not a known command.</summary>
    UnknownCommand,

    /// <summary>A command whose body runs past the end of the block.</summary>
    Truncated,

    /// <summary>The bytes after a null command are not all zero.</summary>
    NonZeroPadding,

    /// <summary>More than one command of a kind (NextNodeHop, SURBReply, Recipient or NodeDelay).</summary>
    DuplicateCommand,
}
