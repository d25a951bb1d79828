namespace Mixnode.Pki;

/// <summary>A key file is missing, unsafe or malformed; the message names the file and, when there is one, the fix.</summary>
internal sealed class KeyFileException : Exception
{
    public KeyFileException(string message)
        : base(message)
    {
    }

    public KeyFileException()
    {
    }

    public KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
