using System.Text;
using NSec.Cryptography;

namespace Mixnode.Pki.Tests;

/// <summary>
/// Inputs the fuzzer (tests/fuzz, target pki) found, minimised by hand: each once escaped as an exception the parser
/// does not document (here <see cref="InvalidOperationException"/> from reading a JSON string that is not UTF-8),
/// which callers that catch only the documented refusal would not catch.
/// </summary>
public sealed class FuzzRegressionTests
{
    /// <summary>Byte 0xCB cannot start a UTF-8 sequence followed by a quote.</summary>
    private static byte[] WithInvalidUtf8(string json) =>
        Encoding.ASCII.GetBytes(json).Select(b => b == (byte)'~' ? (byte)0xCB : b).ToArray();

    [Fact]
    public void Envelope_whose_signer_is_not_UTF8_is_refused_as_malformed()
    {
        byte[] raw = WithInvalidUtf8("""{"payload":{},"signer":"~","signature":"AA=="}""");

        var e = Assert.Throws<SignedEnvelopeException>(() => SignedEnvelope.Open(raw, SignatureContext.Descriptor));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }

    [Fact]
    public void Descriptor_upload_whose_signature_is_not_UTF8_is_refused_as_malformed()
    {
        byte[] raw = WithInvalidUtf8("""{"payload":{"epoch":1,"descriptor":{}},"signer":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","signature":"~"}""");

        var e = Assert.Throws<SignedEnvelopeException>(() => SignedDescriptor.Open(raw));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }

    [Fact]
    public void Document_whose_signature_entry_is_not_UTF8_is_refused_as_malformed()
    {
        byte[] file = WithInvalidUtf8("""{"payload":{},"signatures":[{"authority":"~","signature":"AA=="}]}""");

        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, PkiFixtures.RandomKey()));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }

    [Fact]
    public void Document_signed_over_a_payload_that_is_not_UTF8_is_refused_as_malformed()
    {
        // The authority's signature is valid: only the parse after it could have met the bad string.
        using Key authority = PkiFixtures.NewSigningKey();
        byte[] payload = WithInvalidUtf8("""{"version":1,"epoch_period_seconds":20,"geometry":{"nr_hops":5,"forward_payload_length":103,"header_length":476,"packet_length":611},"mixing":{"strategy":"~"}}""");
        string signature = Convert.ToBase64String(SignedNetworkDocument.SignPayload(payload, authority));
        string key = Convert.ToBase64String(PkiFixtures.PublicKeyOf(authority).AsReadOnlySpan());
        byte[] file = [.. "{\"payload\":"u8, .. payload, .. Encoding.ASCII.GetBytes($$""","signatures":[{"authority":"{{key}}","signature":"{{signature}}"}]}""")];

        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, PkiFixtures.PublicKeyOf(authority)));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }
}
