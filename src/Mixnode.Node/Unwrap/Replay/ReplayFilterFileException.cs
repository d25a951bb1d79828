namespace Mixnode.Node.Unwrap.Replay;

/// <summary>An existing replay-filter file cannot be used; the message names the file and the mismatch.</summary>
internal sealed class ReplayFilterFileException : IOException
{
    public ReplayFilterFileException(string filePath, ReplayFilterFileError error, string detail)
        : base($"replay filter file '{filePath}': {detail}")
    {
        FilePath = filePath;
        Error = error;
    }

    public ReplayFilterFileException()
    {
        FilePath = "";
    }

    public ReplayFilterFileException(string message)
        : base(message)
    {
        FilePath = "";
    }

    public ReplayFilterFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        FilePath = "";
    }

    public string FilePath { get; }

    public ReplayFilterFileError Error { get; }
}
