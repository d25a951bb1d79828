using System.Security.Cryptography;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Tests.Support;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests;

/// <summary>
/// The benchmark's workload (benchmarks/Mixnode.Benchmarks/Authority/ConsensusBenchmark.cs) as a sanity check:
/// 1,000 nodes in 3 votes make a verified document. No timing is asserted; the benchmark measures it.
/// </summary>
public sealed class ConsensusAtScaleTests
{
    [Fact]
    public void A_thousand_nodes_from_three_votes_make_a_verified_document()
    {
        const long epoch = 10_000;
        Key[] keys = [.. Enumerable.Range(0, 3).Select(_ => Key.Create(SignatureAlgorithm.Ed25519))];
        var authorities = new AuthoritySet(keys.Select((k, i) => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{31000 + i}", PublicKey(k))), 2);
        var parameters = new NetworkParameters(TimeSpan.FromMinutes(20), 3, SphinxGeometry.Default, new MixingParameters(50, 0.5));
        SignedDescriptor[] uploads = [.. Enumerable.Range(0, 1000).Select(i => new TestNode($"n-{i}", i < 900 ? NodeRole.Mix : NodeRole.Provider, i).Upload(epoch))];
        Bytes32[] reveals = [.. Enumerable.Range(0, 3).Select(_ => Bytes32.From(RandomNumberGenerator.GetBytes(32)))];
        byte[][] votes = [.. Enumerable.Range(0, 3).Select(i => Vote.Create(epoch, keys[i], DateTimeOffset.UnixEpoch, Reveal.Commit(reveals[i]), parameters, uploads).Envelope.Raw.ToArray())];

        var cache = new DescriptorCache();
        List<RevealedVote> revealed = [.. votes.Select((v, i) => new RevealedVote(Vote.Open(v, authorities, cache), reveals[i]))];
        ConsensusOutcome outcome = ConsensusComputation.Compute(epoch, revealed, 2);
        byte[] file = SignedNetworkDocument.Assemble(outcome.Payload!, keys.Select(k => new KeyValuePair<Bytes32, byte[]>(PublicKey(k), SignedNetworkDocument.SignPayload(outcome.Payload!, k))));
        NetworkDocument document = SignedNetworkDocument.Verify(file, authorities);

        Assert.Equal(100, document.Providers.Length);
        Assert.All(document.Layers, l => Assert.Equal(300, l.Length));
    }

    private static Bytes32 PublicKey(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
}
