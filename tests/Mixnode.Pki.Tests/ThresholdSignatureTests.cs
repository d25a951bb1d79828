using System.Text;
using System.Text.Json.Nodes;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Pki.Tests;

public sealed class ThresholdSignatureTests : IDisposable
{
    private readonly Key[] _authorities = [PkiFixtures.NewSigningKey(), PkiFixtures.NewSigningKey(), PkiFixtures.NewSigningKey()];

    public void Dispose()
    {
        foreach (Key key in _authorities)
        {
            key.Dispose();
        }
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(1, false)]
    [InlineData(0, false)]
    public void A_document_needs_the_threshold_of_listed_signatures(int signers, bool accepted)
    {
        AuthoritySet set = PkiFixtures.SetOf(_authorities);
        NetworkDocument document = PkiFixtures.Document();
        byte[] file = PkiFixtures.SignedBy(document, _authorities.Take(signers).ToArray());
        if (accepted)
        {
            (NetworkDocument verified, IReadOnlyList<Bytes32> by) = SignedNetworkDocument.VerifyWithSigners(file, set);
            Assert.Equal(document.ToUtf8Json(), verified.ToUtf8Json());
            Assert.Equal(signers, by.Count);
        }
        else
        {
            var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, set));
            Assert.Equal(PkiRefusal.BelowThreshold, e.Reason);
        }
    }

    [Fact]
    public void One_authority_signing_twice_counts_once()
    {
        AuthoritySet set = PkiFixtures.SetOf(_authorities);
        byte[] payload = SignedNetworkDocument.Payload(PkiFixtures.Document());
        byte[] signature = SignedNetworkDocument.SignPayload(payload, _authorities[0]);
        string text = Encoding.UTF8.GetString(SignedNetworkDocument.Assemble(payload, [new(PkiFixtures.PublicKeyOf(_authorities[0]), signature)]));
        JsonObject envelope = JsonNode.Parse(text)!.AsObject();
        JsonArray signatures = envelope["signatures"]!.AsArray();
        signatures.Add(signatures[0]!.DeepClone());

        // Rewriting the envelope reformats the payload too; rebuild it around the original payload bytes.
        string doubled = $"{{\"payload\": {Encoding.UTF8.GetString(payload)}, \"signatures\": {signatures.ToJsonString()}}}";
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(Encoding.UTF8.GetBytes(doubled), set));
        Assert.Equal(PkiRefusal.BelowThreshold, e.Reason);
        Assert.Contains("1 of the expected authorities; 2 are needed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_by_unknown_keys_neither_count_nor_spoil_the_document()
    {
        AuthoritySet set = PkiFixtures.SetOf(_authorities);
        using Key stranger = PkiFixtures.NewSigningKey();
        byte[] file = PkiFixtures.SignedBy(PkiFixtures.Document(), stranger, _authorities[0]);
        Assert.Equal(PkiRefusal.BelowThreshold, Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, set)).Reason);

        byte[] enough = PkiFixtures.SignedBy(PkiFixtures.Document(), stranger, _authorities[0], _authorities[2]);
        Assert.Equal(2, SignedNetworkDocument.VerifyWithSigners(enough, set).Signers.Count);
    }

    [Fact]
    public void A_bad_signature_by_a_listed_authority_does_not_count()
    {
        AuthoritySet set = PkiFixtures.SetOf(_authorities);
        byte[] payload = SignedNetworkDocument.Payload(PkiFixtures.Document());
        byte[] forged = new byte[64];
        byte[] file = SignedNetworkDocument.Assemble(payload, [
            new(PkiFixtures.PublicKeyOf(_authorities[0]), SignedNetworkDocument.SignPayload(payload, _authorities[0])),
            new(PkiFixtures.PublicKeyOf(_authorities[1]), forged),
        ]);
        Assert.Equal(PkiRefusal.BelowThreshold, Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, set)).Reason);
    }

    [Fact]
    public void The_same_signatures_always_assemble_to_the_same_bytes()
    {
        byte[] payload = SignedNetworkDocument.Payload(PkiFixtures.Document());
        var signatures = _authorities.Select(k => new KeyValuePair<Bytes32, byte[]>(PkiFixtures.PublicKeyOf(k), SignedNetworkDocument.SignPayload(payload, k))).ToList();
        byte[] forward = SignedNetworkDocument.Assemble(payload, signatures);
        signatures.Reverse();
        Assert.Equal(forward, SignedNetworkDocument.Assemble(payload, signatures));
    }

    [Fact]
    public void Epoch_and_shared_random_survive_the_round_trip()
    {
        NetworkDocument document = PkiFixtures.Document(123_456);
        NetworkDocument back = SignedNetworkDocument.Verify(PkiFixtures.SignedBy(document, _authorities), PkiFixtures.SetOf(_authorities));
        Assert.Equal(123_456, back.Epoch);
        Assert.Equal(document.SharedRandom, back.SharedRandom);
        Assert.Equal(new EpochRange(123_456, 123_457), back.EpochsCovered);
    }

    [Fact]
    public void An_epoch_outside_the_validity_window_is_refused()
    {
        NetworkDocument document = PkiFixtures.Document();
        var e = Assert.Throws<TopologyException>(() => new NetworkDocument(document.EpochPeriod, document.Geometry, document.Mixing, document.EpochsCovered, document.Providers, document.Layers.Select(l => l.AsEnumerable()), document.EpochsCovered.Last + 1));
        Assert.Contains("outside the epochs the document covers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_oversized_document_is_refused_before_parsing()
    {
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(new byte[SignedNetworkDocument.MaxLength + 1], PkiFixtures.SetOf(_authorities)));
        Assert.Equal(PkiRefusal.Oversized, e.Reason);
    }
}
