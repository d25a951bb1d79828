using System.Text;
using Mixnode.Authority.Protocol;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests;

/// <summary>
/// Messages the fuzzer (tests/fuzz, target authority) found, minimised by hand: signed by a listed authority, with an
/// integer field of another JSON type, each once escaped from Open as <see cref="InvalidOperationException"/>
/// instead of the documented <see cref="SignedEnvelopeException"/>.
/// </summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly Key _authority = new(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);

    public void Dispose() => _authority.Dispose();

    private AuthoritySet Authorities => AuthoritySet.Single(Bytes32.From(_authority.PublicKey.Export(KeyBlobFormat.RawPublicKey)));

    private byte[] Signed(byte[] context, string payload) => SignedEnvelope.Create(context, Encoding.UTF8.GetBytes(payload), _authority).Raw.ToArray();

    [Theory]
    [InlineData("""{"epoch":"300"}""")]
    [InlineData("""{"epoch":{}}""")]
    [InlineData("""{"epoch":[1]}""")]
    public void Vote_with_a_non_number_epoch_is_refused_as_malformed(string payload)
    {
        var e = Assert.Throws<SignedEnvelopeException>(() => Vote.Open(Signed(SignatureContext.Vote, payload), Authorities, new DescriptorCache()));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }

    [Fact]
    public void Reveal_with_a_non_number_epoch_is_refused_as_malformed()
    {
        var e = Assert.Throws<SignedEnvelopeException>(() => Reveal.Open(Signed(SignatureContext.Reveal, """{"epoch":"300"}"""), Authorities));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }

    [Fact]
    public void Certificate_with_a_non_number_epoch_is_refused_as_malformed()
    {
        var e = Assert.Throws<SignedEnvelopeException>(() => Certificate.Open(Signed(SignatureContext.Certificate, """{"epoch":true}"""), Authorities));
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }
}
