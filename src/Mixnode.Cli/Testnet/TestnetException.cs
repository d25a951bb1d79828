namespace Mixnode.Cli.Testnet;

/// <summary>The testnet could not be generated or started; the message says which step and why.</summary>
internal sealed class TestnetException : Exception
{
    public TestnetException(string message)
        : base(message)
    {
    }

    public TestnetException()
    {
    }

    public TestnetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
