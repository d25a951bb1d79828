using System.Text.Json;
using NSec.Cryptography;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Fuzz;

/// <summary>
/// The directory's signed objects as a node, client or authority reads them. Input: one mode byte, then the bytes.
/// Mode % 4 = 0: a signed network document file, <see cref="SignedNetworkDocument.VerifyWithSigners"/> with the
/// harness's authority. 1: the document's payload, which the harness signs with that authority (so the fuzzer gets
/// past the signature into <see cref="NetworkDocument.Parse"/>). 2: a descriptor upload,
/// <see cref="SignedDescriptor.Open"/>. 3: an upload's payload, signed by the harness with the node identity the
/// seed names. The documented refusals are <see cref="TopologyException"/> for documents and
/// <see cref="SignedEnvelopeException"/> for uploads; anything else is a crash.
/// </summary>
internal sealed class PkiDocumentTarget : IFuzzTarget
{
    public const int SignedDocument = 0;
    public const int DocumentPayload = 1;
    public const int SignedUpload = 2;
    public const int UploadPayload = 3;

    private static readonly Bytes32 s_authority = Bytes32.From(FuzzKeys.Authority.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    private static readonly AuthoritySet s_authorities = AuthoritySet.Single(s_authority);

    internal static AuthoritySet Authorities => s_authorities;

    public string Name => "pki";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        byte[] body = input[1..].ToArray();
        switch (input[0] % 4)
        {
            case SignedDocument:
                VerifyDocument(body);
                break;
            case DocumentPayload:
                if (SignDocumentPayload(body) is { } file)
                {
                    VerifyDocument(file);
                }

                break;
            case SignedUpload:
                OpenUpload(body);
                break;
            default:
                if (SignUploadPayload(body) is { } upload)
                {
                    OpenUpload(upload);
                }

                break;
        }
    }

    /// <summary>A document file for <paramref name="payload"/> signed by the harness's authority; null when the payload is not JSON (the signer refuses it).</summary>
    public static byte[]? SignDocumentPayload(byte[] payload) =>
        SignOrNull(() => SignedNetworkDocument.Assemble(payload, [new(s_authority, SignedNetworkDocument.SignPayload(payload, FuzzKeys.Authority))]));

    /// <summary>An envelope of <paramref name="payload"/> under <paramref name="context"/> signed by the harness's authority; null when the payload is not JSON.</summary>
    public static byte[]? SignAsAuthority(byte[] context, byte[] payload) =>
        SignOrNull(() => SignedEnvelope.Create(context, payload, FuzzKeys.Authority).Raw.ToArray());

    /// <summary>An upload of <paramref name="payload"/> signed with the harness's node identity; null when the payload is not JSON.</summary>
    public static byte[]? SignUploadPayload(byte[] payload) =>
        SignOrNull(() => SignedEnvelope.Create(SignatureContext.Descriptor, payload, FuzzKeys.NodeIdentity).Raw.ToArray());

    private static void VerifyDocument(byte[] file)
    {
        try
        {
            SignedNetworkDocument.VerifyWithSigners(file, s_authorities);
        }
        catch (TopologyException)
        {
        }
    }

    private static void OpenUpload(byte[] raw)
    {
        try
        {
            SignedDescriptor.Open(raw);
        }
        catch (SignedEnvelopeException)
        {
        }
    }

    // The signers write the payload as one raw JSON value and refuse anything else: that is the harness's
    // precondition (signers are not fed by attackers), not a finding.
    private static byte[]? SignOrNull(Func<byte[]> sign)
    {
        try
        {
            return sign();
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }
}
