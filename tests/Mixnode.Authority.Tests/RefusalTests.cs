using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Tests.Support;
using Mixnode.Authority.Transport;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests;

/// <summary>Every kind of bad input is refused with its own reason, and counted with it.</summary>
public sealed class RefusalTests : IDisposable
{
    private readonly AuthorityTestbed _bed;
    private readonly MetricCollector<long> _refused;
    private readonly AuthorityEngine _engine;

    public RefusalTests()
    {
        var twin = new TestNode("twin", NodeRole.Mix, 200);
        var clash = new TestNode("clash", NodeRole.Mix, 201, twin.LinkKey);
        _bed = new AuthorityTestbed(extraNodes: [twin, clash]);
        _refused = new MetricCollector<long>(_bed.Meters, AuthorityMetricsName, "mixnode.authority.refused");
        _engine = _bed.Engines[0];
        _engine.Start();
    }

    private const string AuthorityMetricsName = "Mixnode.Authority";

    private long Epoch => _bed.Current;

    [Fact]
    public void A_descriptor_with_a_bad_signature()
    {
        byte[] raw = _bed.Nodes[0].Upload(Epoch).Envelope.Raw.ToArray();
        string text = Encoding.UTF8.GetString(raw).Replace("\"mix-0\"", "\"mix-9\"", StringComparison.Ordinal);
        Expect(PkiRefusal.BadSignature, "descriptor", _engine.SubmitDescriptor(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void A_descriptor_for_an_epoch_not_open_for_uploads()
    {
        Expect(PkiRefusal.WrongEpoch, "descriptor", _engine.SubmitDescriptor(_bed.Nodes[0].Upload(Epoch + 2).Envelope.Raw));
        Expect(PkiRefusal.WrongEpoch, "descriptor", _engine.SubmitDescriptor(_bed.Nodes[0].Upload(Epoch - 1).Envelope.Raw));
    }

    [Fact]
    public void A_descriptor_from_a_node_not_listed()
    {
        var stranger = new TestNode("stranger", NodeRole.Mix, 300);
        Expect(PkiRefusal.UnknownSigner, "descriptor", _engine.SubmitDescriptor(stranger.Upload(Epoch).Envelope.Raw));
    }

    [Fact]
    public void Two_identities_with_one_link_key()
    {
        TestNode twin = _bed.Nodes.Single(n => n.Name == "twin");
        TestNode clash = _bed.Nodes.Single(n => n.Name == "clash");
        Assert.Null(_engine.SubmitDescriptor(twin.Upload(Epoch).Envelope.Raw));
        Expect(PkiRefusal.Duplicate, "descriptor", _engine.SubmitDescriptor(clash.Upload(Epoch).Envelope.Raw));

        // The same node replacing its own upload is fine: the last one wins.
        Assert.Null(_engine.SubmitDescriptor(twin.Upload(Epoch).Envelope.Raw));
    }

    [Theory]
    [InlineData("10.1.2.3:4000")]
    [InlineData("192.168.1.1:4000")]
    [InlineData("example.org:4000")]
    [InlineData("0.0.0.0:4000")]
    public void An_address_outside_the_policy(string address)
    {
        TestNode node = _bed.Nodes[1];
        node.Address = address;
        Expect(PkiRefusal.AddressPolicy, "descriptor", _engine.SubmitDescriptor(node.Upload(Epoch).Envelope.Raw));
    }

    [Fact]
    public void Malformed_and_oversized_messages()
    {
        Expect(PkiRefusal.Malformed, "descriptor", _engine.SubmitDescriptor("{\"payload\": 1}"u8.ToArray()));
        Expect(PkiRefusal.Malformed, "descriptor", _engine.SubmitDescriptor("not json"u8.ToArray()));
        Expect(PkiRefusal.Malformed, "vote", _engine.Receive(PeerMessageKind.Vote, "[]"u8.ToArray()));
        Expect(PkiRefusal.Oversized, "vote", _engine.Receive(PeerMessageKind.Vote, new byte[SignedEnvelope.MaxLength + 1]));
        Expect(PkiRefusal.Malformed, "reveal", _engine.Receive(PeerMessageKind.Reveal, "{}"u8.ToArray()));
        Expect(PkiRefusal.Malformed, "certificate", _engine.Receive(PeerMessageKind.Certificate, "{"u8.ToArray()));
    }

    [Fact]
    public void A_vote_signed_by_a_key_that_is_not_an_authority()
    {
        using var stranger = Key.Create(SignatureAlgorithm.Ed25519);
        var vote = Vote.Create(Epoch, stranger, _bed.Time.GetUtcNow(), Bytes32.From(RandomNumberGenerator.GetBytes(32)), _bed.Parameters, []);
        Expect(PkiRefusal.UnknownSigner, "vote", _engine.Receive(PeerMessageKind.Vote, vote.Envelope.Raw));
    }

    [Fact]
    public void A_vote_from_a_clock_too_far_off()
    {
        var vote = Vote.Create(Epoch, _bed.Keys[1], _bed.Time.GetUtcNow() - TimeSpan.FromSeconds(30), Bytes32.From(RandomNumberGenerator.GetBytes(32)), _bed.Parameters, []);
        Expect(PkiRefusal.ClockSkew, "vote", _engine.Receive(PeerMessageKind.Vote, vote.Envelope.Raw));
        var fine = Vote.Create(Epoch, _bed.Keys[1], _bed.Time.GetUtcNow() + TimeSpan.FromSeconds(5), Bytes32.From(RandomNumberGenerator.GetBytes(32)), _bed.Parameters, []);
        Assert.Null(_engine.Receive(PeerMessageKind.Vote, fine.Envelope.Raw));
    }

    [Fact]
    public void A_vote_for_an_epoch_out_of_the_window()
    {
        var vote = Vote.Create(Epoch + 5, _bed.Keys[1], _bed.Time.GetUtcNow(), Bytes32.From(RandomNumberGenerator.GetBytes(32)), _bed.Parameters, []);
        Expect(PkiRefusal.WrongEpoch, "vote", _engine.Receive(PeerMessageKind.Vote, vote.Envelope.Raw));
    }

    [Fact]
    public void A_vote_whose_envelope_was_changed()
    {
        var vote = Vote.Create(Epoch, _bed.Keys[1], _bed.Time.GetUtcNow(), Bytes32.From(RandomNumberGenerator.GetBytes(32)), _bed.Parameters, []);
        string text = Encoding.UTF8.GetString(vote.Envelope.Raw.Span).Replace("\"layers\":3", "\"layers\":2", StringComparison.Ordinal);
        Expect(PkiRefusal.BadSignature, "vote", _engine.Receive(PeerMessageKind.Vote, Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void A_reveal_that_does_not_match_the_commit()
    {
        var vote = Vote.Create(Epoch, _bed.Keys[1], _bed.Time.GetUtcNow(), Bytes32.From(RandomNumberGenerator.GetBytes(32)), _bed.Parameters, []);
        Assert.Null(_engine.Receive(PeerMessageKind.Vote, vote.Envelope.Raw));
        var reveal = Reveal.Create(Epoch, _bed.Keys[1], Bytes32.From(RandomNumberGenerator.GetBytes(32)), []);
        Expect(PkiRefusal.Invalid, "reveal", _engine.Receive(PeerMessageKind.Reveal, reveal.Envelope.Raw));
    }

    [Fact]
    public void Refusal_counters_carry_only_closed_set_tags()
    {
        var stranger = new TestNode("stranger", NodeRole.Mix, 300);
        _engine.SubmitDescriptor(stranger.Upload(Epoch).Envelope.Raw);
        _engine.SubmitDescriptor("x"u8.ToArray());
        string[] reasons = [.. Enum.GetValues<PkiRefusal>().Select(r => r.ToTag())];
        string[] kinds = ["descriptor", "vote", "reveal", "certificate", "document"];
        Assert.NotEmpty(_refused.GetMeasurementSnapshot());
        foreach (CollectedMeasurement<long> measurement in _refused.GetMeasurementSnapshot())
        {
            Assert.Equal(["kind", "reason"], measurement.Tags.Keys.Order(StringComparer.Ordinal));
            Assert.Contains((string)measurement.Tags["reason"]!, reasons);
            Assert.Contains((string)measurement.Tags["kind"]!, kinds);
        }
    }

    public void Dispose()
    {
        _refused.Dispose();
        _bed.Dispose();
    }

    private void Expect(PkiRefusal reason, string kind, Refusal? refusal)
    {
        Assert.True(refusal is not null, $"expected a refusal ({reason.ToTag()})");
        Assert.Equal(reason, refusal.Value.Reason);
        Assert.False(string.IsNullOrWhiteSpace(refusal.Value.Message));
        Assert.Contains(_refused.GetMeasurementSnapshot(), m => (string?)m.Tags["reason"] == reason.ToTag() && (string?)m.Tags["kind"] == kind);
    }
}
