using System.Text;
using System.Text.Json.Nodes;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Node.Tests.Topology;

public sealed class SignedNetworkDocumentTests : IDisposable
{
    private readonly Key _authority = TestNetwork.NewAuthority();

    private Bytes32 AuthorityKey => TestNetwork.PublicKeyOf(_authority);

    public void Dispose() => _authority.Dispose();

    [Fact]
    public void Sign_then_verify_gives_the_same_document()
    {
        NetworkDocument document = TestNetwork.Document();
        byte[] file = SignedNetworkDocument.Sign(document, _authority);
        NetworkDocument verified = SignedNetworkDocument.Verify(file, AuthorityKey);
        Assert.Equal(document.ToUtf8Json(), verified.ToUtf8Json());
        Assert.Equal(2, verified.Providers.Length);
        Assert.Equal(3, verified.Layers.Length);
        Assert.Equal(new EpochRange(TestNetwork.FirstEpoch, TestNetwork.FirstEpoch + 2), verified.EpochsCovered);
    }

    [Fact]
    public void The_signed_file_is_readable_json_with_the_payload_embedded()
    {
        string text = Encoding.UTF8.GetString(SignedNetworkDocument.Sign(TestNetwork.Document(), _authority));
        JsonObject envelope = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(1, envelope["payload"]!["version"]!.GetValue<int>());
        Assert.Contains("\n    \"epoch_period_seconds\": 1200,", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_one_byte_of_the_payload_breaks_the_signature()
    {
        byte[] file = SignedNetworkDocument.Sign(TestNetwork.Document(), _authority);
        string text = Encoding.UTF8.GetString(file);
        byte[] changed = Encoding.UTF8.GetBytes(text.Replace("\"mean_delay_ms\": 50", "\"mean_delay_ms\": 40", StringComparison.Ordinal));
        Assert.Equal(file.Length, changed.Length);
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(changed, AuthorityKey));
        Assert.Contains("bad signature", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_single_byte_flip_inside_the_payload_is_caught()
    {
        byte[] file = SignedNetworkDocument.Sign(TestNetwork.Document(descriptors: TestNetwork.Descriptors(1)), _authority);
        int start = Encoding.UTF8.GetString(file).IndexOf("\"payload\": ", StringComparison.Ordinal) + "\"payload\": ".Length;
        int end = Encoding.UTF8.GetString(file).IndexOf(",\n  \"signatures\"", StringComparison.Ordinal);
        for (int i = start; i < end; i += 7)
        {
            byte[] copy = (byte[])file.Clone();
            copy[i] ^= 0x01;
            Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(copy, AuthorityKey));
        }
    }

    [Fact]
    public void Reformatting_the_payload_invalidates_but_reformatting_the_envelope_does_not()
    {
        string text = Encoding.UTF8.GetString(SignedNetworkDocument.Sign(TestNetwork.Document(), _authority));
        string payloadReformatted = text.Replace("\"version\": 1", "\"version\":  1", StringComparison.Ordinal);
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(Encoding.UTF8.GetBytes(payloadReformatted), AuthorityKey));
        Assert.Contains("reformatted", e.Message, StringComparison.Ordinal);

        string envelopeReformatted = text.Replace(",\n  \"signatures\": ", ",   \"signatures\":", StringComparison.Ordinal);
        Assert.NotEqual(text, envelopeReformatted);
        SignedNetworkDocument.Verify(Encoding.UTF8.GetBytes(envelopeReformatted), AuthorityKey);
    }

    [Fact]
    public void A_document_signed_by_another_authority_is_refused()
    {
        using Key other = TestNetwork.NewAuthority();
        byte[] file = SignedNetworkDocument.Sign(TestNetwork.Document(), other);
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, AuthorityKey));
        Assert.Contains("none of the expected authorities", e.Message, StringComparison.Ordinal);
        Assert.Equal(PkiRefusal.BelowThreshold, e.Reason);
    }

    [Fact]
    public void A_signature_made_without_the_document_context_is_refused()
    {
        // Domain separation: an Ed25519 signature of the bare payload (what version 1 of the format signed) or of
        // the payload under another context (a vote, say) does not verify as a document signature.
        NetworkDocument document = TestNetwork.Document();
        byte[] payload = SignedNetworkDocument.Payload(document);
        foreach (byte[] signed in new[] { payload, SignatureContext.Bind(SignatureContext.Vote, payload) })
        {
            byte[] signature = SignatureAlgorithm.Ed25519.Sign(_authority, signed);
            byte[] file = SignedNetworkDocument.Assemble(payload, [new(AuthorityKey, signature)]);
            var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, AuthorityKey));
            Assert.Equal(PkiRefusal.BadSignature, e.Reason);
        }
    }

    [Fact]
    public void The_old_single_signature_envelope_is_refused_with_a_hint()
    {
        string payload = Encoding.UTF8.GetString(SignedNetworkDocument.Payload(TestNetwork.Document()));
        string old = $"{{\"payload\": {payload}, \"signature\": \"AAAA\", \"authority\": \"{Convert.ToBase64String(AuthorityKey.AsReadOnlySpan())}\"}}";
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(Encoding.UTF8.GetBytes(old), AuthorityKey));
        Assert.Contains("sign it again", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Claiming_the_expected_authority_without_its_key_fails_the_signature()
    {
        using Key other = TestNetwork.NewAuthority();
        string text = Encoding.UTF8.GetString(SignedNetworkDocument.Sign(TestNetwork.Document(), other));
        string forged = text.Replace(
            Convert.ToBase64String(TestNetwork.PublicKeyOf(other).AsReadOnlySpan()),
            Convert.ToBase64String(AuthorityKey.AsReadOnlySpan()),
            StringComparison.Ordinal);
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(Encoding.UTF8.GetBytes(forged), AuthorityKey));
        Assert.Contains("bad signature", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "not a signed network document")]
    [InlineData("{\"payload\": {}, \"payload\": {}}", "not valid JSON")]
    [InlineData("{\"signatures\": []}", "missing field 'payload'")]
    [InlineData("{\"payload\": 1, \"signatures\": []}", "'payload' must be a JSON object")]
    [InlineData("{\"payload\": {}, \"signatures\": {}}", "'signatures' must be an array")]
    public void Broken_envelopes_are_refused(string text, string expected)
    {
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(Encoding.UTF8.GetBytes(text), AuthorityKey));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("signature", null, "missing field 'signature' in signatures[0]")]
    [InlineData("authority", null, "missing field 'authority' in signatures[0]")]
    [InlineData("signature", "%%%", "signatures[0]: The input is not a valid Base-64 string")]
    [InlineData("signature", "AAAA", "an Ed25519 signature has 64")]
    [InlineData("authority", "%%%", "'authority' is not valid base64")]
    public void Bad_signature_fields_are_named(string field, string? value, string expected)
    {
        JsonObject envelope = JsonNode.Parse(SignedNetworkDocument.Sign(TestNetwork.Document(), _authority))!.AsObject();
        JsonObject entry = envelope["signatures"]!.AsArray()[0]!.AsObject();
        if (value is null)
        {
            entry.Remove(field);
        }
        else
        {
            entry[field] = value;
        }

        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(Encoding.UTF8.GetBytes(envelope.ToJsonString()), AuthorityKey));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(PkiRefusal.Malformed, e.Reason);
    }

    [Theory]
    [InlineData("missing-geometry", "missing field 'geometry'")]
    [InlineData("missing-name", "missing field 'name'")]
    [InlineData("bad-base64", "not valid base64")]
    [InlineData("duplicate-id", "duplicate node id")]
    [InlineData("duplicate-link-key", "duplicate link key")]
    [InlineData("mix-in-no-layer", "is in no layer")]
    [InlineData("empty-layer", "layer 1 is empty")]
    [InlineData("wrong-layer", "is listed in layer 1 but its descriptor says layer 0")]
    [InlineData("provider-in-layer", "providers belong in 'providers'")]
    [InlineData("no-providers", "no provider")]
    [InlineData("missing-mix-key", "has no mix key for epoch")]
    [InlineData("packet-length", "do not match")]
    [InlineData("version", "unsupported document version 2")]
    [InlineData("mean-delay", "mean_delay_ms must be more than 0")]
    [InlineData("too-many-layers", "routes of 6 hops, but the geometry allows 5")]
    [InlineData("bad-address", "node 'mix-0-0': address 1 is not host:port")]
    public void Each_rule_has_its_own_message(string breakage, string expected)
    {
        JsonObject payload = EnvelopeWriter.PayloadOf(TestNetwork.Document());
        JsonArray layers = payload["layers"]!.AsArray();
        JsonObject FirstOf(int layer) => layers[layer]!.AsArray()[0]!.AsObject();
        switch (breakage)
        {
            case "missing-geometry":
                payload.Remove("geometry");
                break;
            case "missing-name":
                FirstOf(1).Remove("name");
                break;
            case "bad-base64":
                FirstOf(2)["link_key"] = "not base64!";
                break;
            case "duplicate-id":
                JsonObject twin = FirstOf(0).DeepClone().AsObject();
                twin["name"] = "twin";
                twin["layer"] = 1;
                twin["link_key"] = Convert.ToBase64String(TestNetwork.RandomKey().AsReadOnlySpan());
                layers[1]!.AsArray().Add(twin);
                break;
            case "duplicate-link-key":
                FirstOf(1)["link_key"] = FirstOf(0)["link_key"]!.DeepClone();
                break;
            case "mix-in-no-layer":
                JsonObject mix = FirstOf(0);
                layers[0]!.AsArray().Remove(mix);
                payload["providers"]!.AsArray().Add(mix);
                break;
            case "empty-layer":
                layers[1] = new JsonArray();
                break;
            case "wrong-layer":
                FirstOf(1)["layer"] = 0;
                break;
            case "provider-in-layer":
                JsonObject provider = payload["providers"]!.AsArray()[0]!.AsObject();
                payload["providers"]!.AsArray().Remove(provider);
                layers[0]!.AsArray().Add(provider);
                break;
            case "no-providers":
                payload["providers"] = new JsonArray();
                break;
            case "missing-mix-key":
                FirstOf(2)["mix_keys"]!.AsObject().Remove((TestNetwork.FirstEpoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case "packet-length":
                payload["geometry"]!["packet_length"] = 3083;
                break;
            case "version":
                payload["version"] = 2;
                break;
            case "mean-delay":
                payload["mixing"]!["mean_delay_ms"] = 0;
                break;
            case "too-many-layers":
                JsonObject extra = FirstOf(2).DeepClone().AsObject();
                layers.Add(new JsonArray(extra));
                break;
            case "bad-address":
                FirstOf(0)["addresses"] = new JsonArray("10.9.8.7");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(breakage));
        }

        byte[] file = EnvelopeWriter.Sign(payload, _authority);
        var e = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(file, AuthorityKey));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);

        // These messages are logged at Warning by the reloading provider: no addresses in them.
        Assert.DoesNotContain("127.0.0.1", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("10.9.8.7", e.Message, StringComparison.Ordinal);
    }
}
