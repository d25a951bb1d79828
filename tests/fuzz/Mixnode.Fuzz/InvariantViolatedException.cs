namespace Mixnode.Fuzz;

/// <summary>A property the harness checks beyond "no unexpected exception" did not hold (a crash for AFL).</summary>
public sealed class InvariantViolatedException : Exception
{
    public InvariantViolatedException()
    {
    }

    public InvariantViolatedException(string message)
        : base(message)
    {
    }

    public InvariantViolatedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
