namespace Mixnode.Client;

/// <summary>
/// Something a client cannot work around and a user must fix or know about: an invalid topology, no provider, a
/// provider that does not answer or presents the wrong key. The message says which, in words fit for a terminal.
/// </summary>
internal sealed class ClientException : Exception
{
    public ClientException(string message)
        : base(message)
    {
    }

    public ClientException()
    {
    }

    public ClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
