namespace Mixnode.Node.Topology;

/// <summary>A network document is unsigned, wrongly signed or inconsistent; the message says which rule it broke.</summary>
internal sealed class TopologyException : Exception
{
    public TopologyException(string message)
        : base(message)
    {
    }

    public TopologyException()
    {
    }

    public TopologyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
