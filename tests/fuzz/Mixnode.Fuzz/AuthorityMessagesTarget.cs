using Mixnode.Authority.Protocol;
using Mixnode.Pki;

namespace Mixnode.Fuzz;

/// <summary>
/// What one directory authority reads from another: votes, reveals and certificates. Input: one mode byte, then the
/// bytes. Mode % 6: 0 a vote, 1 a vote's payload that the harness signs as a listed authority (so mutations get
/// past the signature into the payload's rules and the uploads inside), 2 a reveal, 3 a reveal's payload, 4 a
/// certificate, 5 a certificate's payload. Each Open documents <see cref="SignedEnvelopeException"/> (with a
/// reason) for every bad message; anything else is a crash.
/// </summary>
internal sealed class AuthorityMessagesTarget : IFuzzTarget
{
    public const int VoteMode = 0;
    public const int RevealMode = 2;
    public const int CertificateMode = 4;

    public string Name => "authority";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        int mode = input[0] % 6;
        byte[] body = input[1..].ToArray();
        if (mode % 2 == 1)
        {
            byte[]? signed = PkiDocumentTarget.SignAsAuthority(Context(mode - 1), body);
            if (signed is null)
            {
                return;
            }

            body = signed;
        }

        try
        {
            Open(mode - (mode % 2), body);
        }
        catch (SignedEnvelopeException)
        {
        }
    }

    /// <summary>Opens a message of <paramref name="kind"/> (<see cref="VoteMode"/>, <see cref="RevealMode"/> or <see cref="CertificateMode"/>).</summary>
    public static void Open(int kind, byte[] raw)
    {
        switch (kind)
        {
            case VoteMode:
                Vote.Open(raw, PkiDocumentTarget.Authorities, new DescriptorCache());
                break;
            case RevealMode:
                Reveal.Open(raw, PkiDocumentTarget.Authorities);
                break;
            default:
                Certificate.Open(raw, PkiDocumentTarget.Authorities);
                break;
        }
    }

    public static byte[] Context(int kind) => kind switch
    {
        VoteMode => SignatureContext.Vote,
        RevealMode => SignatureContext.Reveal,
        _ => SignatureContext.Certificate,
    };
}
