namespace Mixnode.Node.Unwrap.Replay;

/// <summary>Why an existing replay-filter file was refused.</summary>
internal enum ReplayFilterFileError
{
    /// <summary>Shorter than its header.</summary>
    Truncated,

    /// <summary>Does not start with the filter's magic bytes.</summary>
    NotAReplayFilter,

    UnsupportedVersion,

    /// <summary>The header checksum does not match: the file was damaged.</summary>
    CorruptHeader,

    /// <summary>Capacity, false-positive rate or the layout derived from them differ from the configuration.</summary>
    ParameterMismatch,

    /// <summary>The file is not header plus bit array long.</summary>
    WrongFileSize,

    /// <summary>The key's marker says its filter was made, but the file is gone (deleted behind the node's back).</summary>
    Missing,

    /// <summary>A valid filter file, but not the one made for this key (replaced or copied from another epoch).</summary>
    Replaced,
}
