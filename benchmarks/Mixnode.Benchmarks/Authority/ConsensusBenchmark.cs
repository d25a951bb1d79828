using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Mixnode.Authority.Protocol;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Benchmarks.Authority;

/// <summary>
/// What one authority does to make a 1,000-node consensus (900 mixes in 3 layers, 100 providers) from 3 votes:
/// open and verify the three signed votes (every one of the 1,000 node signatures once, through the descriptor
/// cache, as the authority does), compute the document (threshold inclusion, SRV, layer deal, document rules),
/// sign its payload, assemble it with the three authorities' signatures and verify the result as a client would.
/// Target: at most 1 s. <c>dotnet run -c Release --project benchmarks/Mixnode.Benchmarks -- --filter '*Consensus*' --job short</c>
/// </summary>
[MemoryDiagnoser]
public class ConsensusBenchmark
{
    public const int Mixes = 900;
    public const int Providers = 100;
    public const long Epoch = 10_000;

    private Key[] _authorities = [];
    private AuthoritySet _set = null!;
    private byte[][] _votes = [];
    private Bytes32[] _reveals = [];

    [GlobalSetup]
    public void Setup()
    {
        _authorities = [.. Enumerable.Range(0, 3).Select(_ => Key.Create(SignatureAlgorithm.Ed25519))];
        _set = new AuthoritySet(_authorities.Select((k, i) => new AuthorityInfo($"auth-{i}", $"127.0.0.1:{31000 + i}", PublicKey(k))), 2);
        var parameters = new NetworkParameters(TimeSpan.FromMinutes(20), 3, SphinxGeometry.Default, new MixingParameters(50, 0.5));
        SignedDescriptor[] uploads = [.. Enumerable.Range(0, Mixes + Providers).Select(Upload)];
        _reveals = [.. Enumerable.Range(0, 3).Select(_ => Bytes32.From(RandomNumberGenerator.GetBytes(32)))];
        _votes = [.. Enumerable.Range(0, 3).Select(i => Vote.Create(Epoch, _authorities[i], DateTimeOffset.UnixEpoch, Reveal.Commit(_reveals[i]), parameters, uploads).Envelope.Raw.ToArray())];
    }

    [Benchmark]
    public int VotesToSignedDocument()
    {
        var cache = new DescriptorCache();
        var revealed = new List<RevealedVote>(3);
        for (int i = 0; i < _votes.Length; i++)
        {
            revealed.Add(new RevealedVote(Vote.Open(_votes[i], _set, cache), _reveals[i]));
        }

        ConsensusOutcome outcome = ConsensusComputation.Compute(Epoch, revealed, _set.Threshold);
        byte[] payload = outcome.Payload ?? throw new InvalidOperationException(outcome.Explanation);
        byte[] file = SignedNetworkDocument.Assemble(payload, _authorities.Select(k => new KeyValuePair<Bytes32, byte[]>(PublicKey(k), SignedNetworkDocument.SignPayload(payload, k))));
        return SignedNetworkDocument.Verify(file, _set).AllNodes.Count();
    }

    private static SignedDescriptor Upload(int index)
    {
        using var identity = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        bool mix = index < Mixes;
        var descriptor = new NodeDescriptor(
            (mix ? "mix-" : "provider-") + index,
            PublicKey(identity),
            Bytes32.From(RandomNumberGenerator.GetBytes(32)),
            [$"203.0.{index / 250}.{(index % 250) + 1}:30000"],
            mix ? NodeRole.Mix : NodeRole.Provider,
            mix ? 0 : NodeDescriptor.NoLayer,
            Enumerable.Range(0, 3).Select(e => new KeyValuePair<long, Bytes32>(Epoch + e, Bytes32.From(RandomNumberGenerator.GetBytes(32)))));
        return SignedDescriptor.Create(descriptor, Epoch, identity);
    }

    private static Bytes32 PublicKey(Key key) => Bytes32.From(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
}
