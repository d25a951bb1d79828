namespace Mixnode.Pki;

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

    public TopologyException(PkiRefusal reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    /// <summary>The counted reason; <see cref="PkiRefusal.Invalid"/> unless the thrower said otherwise.</summary>
    public PkiRefusal Reason { get; } = PkiRefusal.Invalid;
}
