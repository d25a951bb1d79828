using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Cli.Loadgen;
using Mixnode.Client;
using Mixnode.Client.Consensus;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Tests.Loadgen;

/// <summary>
/// loadgen --authorities following the epochs: which prebuilt packets a new consensus has rebuilt, and the whole
/// follow-and-rebuild loop on a fake clock against a fake document source (20-minute epochs; the run starts ten
/// minutes into epoch 1000).
/// </summary>
public sealed class LoadgenEpochsTests : IDisposable
{
    private static readonly TimeSpan s_period = TimeSpan.FromMinutes(20);
    private readonly NodeDescriptor[] _nodes;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<LoopMarker> _markers = [];

    public LoadgenEpochsTests()
    {
        // Random public keys are all a packet builder needs; every node has mix keys for epochs 1000..1004.
        _nodes =
        [
            Node("provider-0", NodeRole.Provider, NodeDescriptor.NoLayer),
            Node("provider-1", NodeRole.Provider, NodeDescriptor.NoLayer),
            Node("mix-0", NodeRole.Mix, 0),
            Node("mix-1", NodeRole.Mix, 1),
            Node("mix-2", NodeRole.Mix, 2),
        ];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        foreach (LoopMarker marker in _markers)
        {
            marker.Dispose();
        }
    }

    private static DateTimeOffset StartOf(long epoch) => EpochClock.Origin + (s_period * epoch);

    [Theory]
    [InlineData(1001, 1000, 1001, true, true)] // due in the document's own epoch: its routes
    [InlineData(1001, 1001, 1001, false, false)] // already right, no refresh asked
    [InlineData(1002, 1000, 1001, true, true)] // keys two epochs off: the nodes would refuse them
    [InlineData(1002, 1001, 1001, true, false)] // next epoch's keys from the previous document still work
    [InlineData(1000, 1000, 1001, true, false)] // before the document's epoch: not for it
    [InlineData(1003, 1000, 1001, true, false)] // outside its validity window
    public void A_new_document_rebuilds_only_the_slots_it_is_for(long dueEpoch, long keyEpoch, long documentEpoch, bool refresh, bool expected) =>
        Assert.Equal(expected, LoadgenPackets.NeedsRebuild(dueEpoch, keyEpoch, documentEpoch, new EpochRange(documentEpoch, documentEpoch + 1), refresh));

    [Fact]
    public async Task Each_new_consensus_is_fetched_from_three_quarters_of_the_epoch_and_the_packets_due_under_it_are_rebuilt()
    {
        var time = new FakeTimeProvider(StartOf(1000) + TimeSpan.FromMinutes(10));
        DateTimeOffset runStart = time.GetUtcNow();

        // Two clients, each with a message in epoch 1000, 1001 and 1002 (run seconds 60, 700 and 1900), and a drop in 1001.
        LoadgenSlot[][] slots =
        [
            [new(60, LoadgenPacketKind.Message, 0), new(650, LoadgenPacketKind.Drop, -1), new(700, LoadgenPacketKind.Message, 1), new(1900, LoadgenPacketKind.Message, 2)],
            [new(61, LoadgenPacketKind.Message, 0), new(701, LoadgenPacketKind.Message, 1), new(1901, LoadgenPacketKind.Message, 2)],
        ];
        LoadgenPackets packets = Packets(slots);
        packets.BuildAll(Document(1000), 1000, CancellationToken.None);
        Assert.All(packets.KeyEpochs.SelectMany(k => k), k => Assert.Equal(1000, k));
        ForwardPacket[][] prebuilt = [.. packets.Packets.Select(p => p.ToArray())];

        var source = new FakeSource();
        source.Published[1001] = Document(1001);
        source.Published[1002] = Document(1002);
        await using LoadgenEpochs epochs = LoadgenEpochs.Start(source, Document(1000), packets, runStart, TextWriter.Null, _stop.Token, time);

        // The first document changes nothing: what is due in 1001 carries 1000's keys, which the nodes still accept then.
        await Task.Delay(100);
        Assert.Equal(0, packets.Rebuilt);
        Assert.Empty(source.Requests);

        time.SetUtcNow(StartOf(1000) + (s_period * 0.75) + TimeSpan.FromSeconds(1));
        await Eventually(() => packets.Rebuilt == 5, "epoch 1001's and 1002's slots rebuilt");
        Assert.Equal([1001L], source.Requests);
        Assert.Equal([1000L, 1001L, 1001L, 1002L], packets.KeyEpochs[0]);
        Assert.Equal([1000L, 1001L, 1002L], packets.KeyEpochs[1]);
        Assert.Same(prebuilt[0][0], packets.Packets[0][0]);
        Assert.NotSame(prebuilt[0][2], packets.Packets[0][2]);
        Assert.Equal(0, epochs.EpochChanges);

        time.SetUtcNow(StartOf(1001) + TimeSpan.FromSeconds(1));
        await Eventually(() => epochs.EpochChanges == 1, "switched to 1001");

        // 1002's consensus: its own epoch's slots get its routes; nothing else needs it.
        time.SetUtcNow(StartOf(1001) + (s_period * 0.75) + TimeSpan.FromSeconds(1));
        await Eventually(() => packets.Rebuilt == 7, "epoch 1002's slots rebuilt again");
        time.SetUtcNow(StartOf(1002) + TimeSpan.FromSeconds(1));
        await Eventually(() => epochs.EpochChanges == 2, "switched to 1002");
        Assert.Equal([1001L, 1002L], source.Requests.Distinct());
    }

    [Fact]
    public void A_slot_due_too_soon_is_left_to_the_pacer()
    {
        LoadgenSlot[][] slots = [[new(1, LoadgenPacketKind.Drop, -1), new(100, LoadgenPacketKind.Drop, -1)]];
        LoadgenPackets packets = Packets(slots);
        packets.BuildAll(Document(1000), 1000, CancellationToken.None);
        DateTimeOffset runStart = StartOf(1001) - TimeSpan.FromSeconds(0.5);
        int rebuilt = packets.Rebuild(Document(1001), runStart, notBefore: TimeSpan.FromSeconds(2), refreshOwnEpoch: true, CancellationToken.None);
        Assert.Equal(1, rebuilt);
        Assert.Equal([1000L, 1001L], packets.KeyEpochs[0]);
    }

    private LoadgenPackets Packets(LoadgenSlot[][] slots)
    {
        LoopMarker[] markers = [.. slots.Select(_ => new LoopMarker())];
        _markers.AddRange(markers);
        return new LoadgenPackets(
            slots,
            [.. slots.Select(_ => Bytes32.From(RandomNumberGenerator.GetBytes(32)))],
            markers,
            [.. slots.Select((_, i) => _nodes[i % 2].Id)],
            Guid.NewGuid());
    }

    private NetworkTopology Document(long epoch) => new(
        new NetworkDocument(
            s_period,
            SphinxGeometry.Default,
            new MixingParameters(50, 0.5),
            new EpochRange(epoch, epoch + 1),
            _nodes.Where(n => n.Role == NodeRole.Provider),
            _nodes.Where(n => n.Role == NodeRole.Mix).GroupBy(n => n.Layer).OrderBy(g => g.Key).Select(g => g.AsEnumerable()),
            epoch),
        default);

    private static NodeDescriptor Node(string name, NodeRole role, int layer) => new(
        name,
        Bytes32.From(RandomNumberGenerator.GetBytes(32)),
        Bytes32.From(RandomNumberGenerator.GetBytes(32)),
        role == NodeRole.Provider ? ["127.0.0.1:1", "127.0.0.1:2"] : ["127.0.0.1:3"],
        role,
        layer,
        Enumerable.Range(1000, 5).Select(e => new KeyValuePair<long, Bytes32>(e, Bytes32.From(RandomNumberGenerator.GetBytes(32)))));

    private static async Task Eventually(Func<bool> condition, string what)
    {
        for (int i = 0; i < 1000; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"not within 10 s: {what}");
    }

    private sealed class FakeSource : IConsensusSource
    {
        public ConcurrentDictionary<long, NetworkTopology> Published { get; } = new();

        public ConcurrentQueue<long> Requests { get; } = new();

        public Task<NetworkTopology?> FetchAsync(long epoch, CancellationToken cancellationToken)
        {
            Requests.Enqueue(epoch);
            return Task.FromResult(Published.TryGetValue(epoch, out NetworkTopology? topology) ? topology : null);
        }
    }
}
