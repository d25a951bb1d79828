namespace Mixnode.Pki;

/// <summary>A signed object was refused; <see cref="Reason"/> is the counted reason, the message the specifics.</summary>
internal sealed class SignedEnvelopeException : Exception
{
    public SignedEnvelopeException()
    {
    }

    public SignedEnvelopeException(string message)
        : base(message)
    {
    }

    public SignedEnvelopeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SignedEnvelopeException(PkiRefusal reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public PkiRefusal Reason { get; } = PkiRefusal.Malformed;
}
