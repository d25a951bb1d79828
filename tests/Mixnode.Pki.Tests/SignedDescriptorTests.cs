using System.Text;
using NSec.Cryptography;

namespace Mixnode.Pki.Tests;

public sealed class SignedDescriptorTests : IDisposable
{
    private readonly Key _identity = PkiFixtures.NewSigningKey();

    public void Dispose() => _identity.Dispose();

    private NodeDescriptor Descriptor() => PkiFixtures.Node("mix-0-0", NodeRole.Mix, 0, 30100, PkiFixtures.PublicKeyOf(_identity));

    [Fact]
    public void An_upload_round_trips_and_keeps_its_bytes()
    {
        NodeDescriptor descriptor = Descriptor();
        SignedDescriptor signed = SignedDescriptor.Create(descriptor, PkiFixtures.Epoch + 1, _identity);
        SignedDescriptor opened = SignedDescriptor.Open(signed.Envelope.Raw);
        Assert.Equal(PkiFixtures.Epoch + 1, opened.Epoch);
        Assert.Equal(descriptor.ToJson(), opened.Descriptor.ToJson());
        Assert.Equal(signed.Envelope.Raw.ToArray(), opened.Envelope.Raw.ToArray());
    }

    [Fact]
    public void Only_the_nodes_own_identity_key_can_sign_its_descriptor()
    {
        using Key other = PkiFixtures.NewSigningKey();
        Assert.Throws<ArgumentException>(() => SignedDescriptor.Create(Descriptor(), PkiFixtures.Epoch, other));

        // Someone re-signs another node's descriptor with their own key: the envelope verifies, the binding does not.
        byte[] payload = Encoding.UTF8.GetBytes($"{{\"epoch\": {PkiFixtures.Epoch}, \"descriptor\": {Descriptor().ToJson()}}}");
        SignedEnvelope envelope = SignedEnvelope.Create(SignatureContext.Descriptor, payload, other);
        var e = Assert.Throws<SignedEnvelopeException>(() => SignedDescriptor.Open(envelope.Raw));
        Assert.Equal(PkiRefusal.BadSignature, e.Reason);
    }

    [Fact]
    public void A_changed_byte_breaks_the_signature()
    {
        byte[] raw = SignedDescriptor.Create(Descriptor(), PkiFixtures.Epoch, _identity).Envelope.Raw.ToArray();
        string text = Encoding.UTF8.GetString(raw).Replace("30100", "30101", StringComparison.Ordinal);
        var e = Assert.Throws<SignedEnvelopeException>(() => SignedDescriptor.Open(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(PkiRefusal.BadSignature, e.Reason);
    }

    [Fact]
    public void A_descriptor_signature_is_not_a_vote_signature()
    {
        SignedDescriptor signed = SignedDescriptor.Create(Descriptor(), PkiFixtures.Epoch, _identity);
        var e = Assert.Throws<SignedEnvelopeException>(() => SignedEnvelope.Open(signed.Envelope.Raw, SignatureContext.Vote));
        Assert.Equal(PkiRefusal.BadSignature, e.Reason);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"payload\": {}, \"signer\": \"AAAA\", \"signature\": \"AAAA\"}")]
    [InlineData("{\"payload\": {}, \"signer\": \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\", \"signature\": \"AAAA\"}")]
    public void Malformed_uploads_are_refused_as_malformed(string text)
    {
        var e = Assert.Throws<SignedEnvelopeException>(() => SignedDescriptor.Open(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }

    [Fact]
    public void A_signed_upload_without_an_epoch_is_malformed()
    {
        byte[] payload = Encoding.UTF8.GetBytes($"{{\"descriptor\": {Descriptor().ToJson()}}}");
        SignedEnvelope envelope = SignedEnvelope.Create(SignatureContext.Descriptor, payload, _identity);
        Assert.Contains("'epoch' must be an integer", Assert.Throws<SignedEnvelopeException>(() => SignedDescriptor.Open(envelope.Raw)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_envelopes_are_refused_before_parsing()
    {
        var e = Assert.Throws<SignedEnvelopeException>(() => SignedEnvelope.Open(new byte[SignedEnvelope.MaxLength + 1], SignatureContext.Descriptor));
        Assert.Equal(PkiRefusal.Oversized, e.Reason);
    }
}
