namespace Mixnode.Cli.Vectors;

/// <summary>A vector file or case is not in the expected format; the message names the field.</summary>
internal sealed class VectorFormatException : Exception
{
    public VectorFormatException(string message)
        : base(message)
    {
    }

    public VectorFormatException()
    {
    }

    public VectorFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
