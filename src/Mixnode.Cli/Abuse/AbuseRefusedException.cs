namespace Mixnode.Cli.Abuse;

/// <summary>The node refused or closed the connection, the handshake or the link (counted as refused, not as an error).</summary>
internal sealed class AbuseRefusedException : Exception
{
    public AbuseRefusedException()
    {
    }

    public AbuseRefusedException(string message)
        : base(message)
    {
    }

    public AbuseRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
