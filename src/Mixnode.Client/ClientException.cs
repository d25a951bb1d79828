namespace Mixnode.Client;

/// <summary>
/// Something a client cannot work around and a user must fix or know about: an invalid topology, no provider, a
/// provider that does not answer or presents the wrong key. The message says which, in words fit for a terminal.
/// </summary>
public sealed class ClientException : Exception
{
    /// <summary>An error with its message.</summary>
    /// <param name="message">What went wrong, for a terminal.</param>
    public ClientException(string message)
        : base(message)
    {
    }

    /// <summary>An error without a message.</summary>
    public ClientException()
    {
    }

    /// <summary>An error with its message and cause.</summary>
    /// <param name="message">What went wrong, for a terminal.</param>
    /// <param name="innerException">The cause.</param>
    public ClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
