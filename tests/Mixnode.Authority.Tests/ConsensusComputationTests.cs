using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Tests.Support;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests;

/// <summary>The document as a pure function of the votes.</summary>
public sealed class ConsensusComputationTests
{
    private const long Epoch = 5_000;

    private static readonly Key[] s_keys = [.. Enumerable.Range(0, 3).Select(_ => Key.Create(SignatureAlgorithm.Ed25519))];
    private static readonly List<TestNode> s_nodes =
        [.. Enumerable.Range(0, 9).Select(i => new TestNode($"mix-{i}", NodeRole.Mix, i)), .. Enumerable.Range(0, 2).Select(i => new TestNode($"provider-{i}", NodeRole.Provider, 50 + i))];
    private static readonly SignedDescriptor[] s_uploads = [.. s_nodes.Select(n => n.Upload(Epoch))];
    private static readonly NetworkParameters s_parameters = new(TimeSpan.FromSeconds(60), 3, SphinxGeometry.Default, new MixingParameters(50, 0.5));

    [Fact]
    public void Same_votes_in_any_order_give_the_same_bytes()
    {
        Prop.ForAll(
            Gen.Shuffle(Enumerable.Range(0, 3).ToArray()).ToArbitrary(),
            Gen.Shuffle(Enumerable.Range(0, s_uploads.Length).ToArray()).ToArbitrary(),
            (voteOrder, uploadOrder) =>
            {
                List<RevealedVote> votes = Votes(uploadOrder.Select(i => s_uploads[i]));
                ConsensusOutcome reference = ConsensusComputation.Compute(Epoch, Votes(s_uploads), 2);
                ConsensusOutcome shuffled = ConsensusComputation.Compute(Epoch, [.. voteOrder.Select(i => votes[i])], 2);
                return reference.Payload!.AsSpan().SequenceEqual(shuffled.Payload);
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Layers_are_dealt_evenly_and_every_descriptor_trimmed_to_the_covered_epochs()
    {
        ConsensusOutcome outcome = ConsensusComputation.Compute(Epoch, Votes(s_uploads), 2);
        NetworkDocument document = outcome.Document!;
        Assert.All(document.Layers, layer => Assert.Equal(3, layer.Length));
        Assert.Equal(2, document.Providers.Length);
        Assert.All(document.AllNodes, n => Assert.Equal([Epoch, Epoch + 1], n.MixKeys.Keys));
        Assert.Equal(ConsensusComputation.SharedRandom(Epoch, Votes(s_uploads)), document.SharedRandom);
    }

    [Fact]
    public void A_node_in_fewer_than_threshold_votes_is_left_out()
    {
        List<RevealedVote> votes = Votes(s_uploads);
        votes[1] = Vote(1, s_uploads.Skip(1));
        votes[2] = Vote(2, s_uploads.Skip(1));
        NetworkDocument document = ConsensusComputation.Compute(Epoch, votes, 2).Document!;
        Assert.DoesNotContain(document.AllNodes, n => n.Name == s_nodes[0].Name);
        Assert.Equal(s_nodes.Count - 1, document.AllNodes.Count());
    }

    [Fact]
    public void Fewer_votes_than_the_threshold_make_no_document()
    {
        ConsensusOutcome outcome = ConsensusComputation.Compute(Epoch, Votes(s_uploads).Take(1).ToList(), 2);
        Assert.Equal(ConsensusFailure.TooFewVotes, outcome.Failure);
        Assert.Null(outcome.Document);
    }

    [Fact]
    public void Parameters_without_a_threshold_make_no_document()
    {
        List<RevealedVote> votes = Votes(s_uploads);
        var other = new NetworkParameters(TimeSpan.FromSeconds(60), 2, SphinxGeometry.Default, new MixingParameters(50, 0.5));
        votes[1] = Vote(1, s_uploads, other);
        var third = new NetworkParameters(TimeSpan.FromSeconds(60), 1, SphinxGeometry.Default, new MixingParameters(50, 0.5));
        votes[2] = Vote(2, s_uploads, third);
        Assert.Equal(ConsensusFailure.ParametersDisagree, ConsensusComputation.Compute(Epoch, votes, 2).Failure);
    }

    [Fact]
    public void Too_few_mixes_for_the_layers_make_no_document()
    {
        SignedDescriptor[] few = [.. s_uploads.Where(u => u.Descriptor.Role == NodeRole.Provider), s_uploads[0]];
        Assert.Equal(ConsensusFailure.DocumentRefused, ConsensusComputation.Compute(Epoch, Votes(few), 2).Failure);
    }

    [Fact]
    public void A_document_with_fewer_signatures_than_the_threshold_is_refused_by_the_verifier()
    {
        byte[] payload = ConsensusComputation.Compute(Epoch, Votes(s_uploads), 2).Payload!;
        var authorities = new AuthoritySet(s_keys.Select((k, i) => new AuthorityInfo($"a{i}", $"127.0.0.1:{1000 + i}", PublicKey(k))), 2);
        byte[] one = SignedNetworkDocument.Assemble(payload, [new(PublicKey(s_keys[0]), SignedNetworkDocument.SignPayload(payload, s_keys[0]))]);
        TopologyException refused = Assert.Throws<TopologyException>(() => SignedNetworkDocument.Verify(one, authorities));
        Assert.Equal(PkiRefusal.BelowThreshold, refused.Reason);
        byte[] two = SignedNetworkDocument.Assemble(payload, s_keys.Take(2).Select(k => new KeyValuePair<Bytes32, byte[]>(PublicKey(k), SignedNetworkDocument.SignPayload(payload, k))));
        Assert.Equal(Epoch, SignedNetworkDocument.Verify(two, authorities).Epoch);
    }

    [Fact]
    public void Votes_round_trip_through_their_signed_bytes()
    {
        var authorities = new AuthoritySet(s_keys.Select((k, i) => new AuthorityInfo($"a{i}", $"127.0.0.1:{1000 + i}", PublicKey(k))), 2);
        RevealedVote vote = Vote(0, s_uploads);
        Vote opened = Protocol.Vote.Open(vote.Vote.Envelope.Raw, authorities, new DescriptorCache());
        Assert.True(opened.SameAs(vote.Vote));
        Assert.Equal(s_uploads.Length, opened.Descriptors.Count);
        Assert.Equal(vote.Vote.Commit, opened.Commit);
        Assert.Equal(s_parameters.Canonical.ToArray(), opened.Parameters.Canonical.ToArray());
    }

    private static List<RevealedVote> Votes(IEnumerable<SignedDescriptor> uploads) =>
        [.. Enumerable.Range(0, 3).Select(i => Vote(i, uploads))];

    private static RevealedVote Vote(int authority, IEnumerable<SignedDescriptor> uploads, NetworkParameters? parameters = null)
    {
        // Deterministic reveals: the same authority always reveals the same value here.
        var reveal = Bytes32.From(SHA256.HashData([(byte)authority]));
        var vote = Protocol.Vote.Create(Epoch, s_keys[authority], DateTimeOffset.UnixEpoch, Reveal.Commit(reveal), parameters ?? s_parameters, uploads);
        return new RevealedVote(vote, reveal);
    }

    private static Bytes32 PublicKey(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
}
