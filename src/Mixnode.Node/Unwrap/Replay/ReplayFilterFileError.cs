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
}
