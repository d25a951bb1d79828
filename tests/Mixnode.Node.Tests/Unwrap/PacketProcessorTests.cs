using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Delivery;
using Mixnode.Node.Forwarding;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Mixing;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Unwrap;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>
/// One crypto worker's job on real Sphinx packets made for this node's mix keys: unwrap (trying the epochs in
/// order), refuse replays, then schedule the packet for its next hop or hand it to the delivery sink.
/// </summary>
public sealed class PacketProcessorTests : IDisposable
{
    private const long Epoch = 1000;
    private static readonly SphinxGeometry s_geometry = SphinxGeometry.Default;
    private static readonly TimeSpan s_maxDelay = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(EpochClock.Origin.AddMinutes((20 * Epoch) + 7));
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly MetricCollector<long> _dropped;
    private readonly MetricCollector<long> _delivered;
    private readonly SortedDictionary<long, Bytes32> _mixKeys;
    private readonly MixKeyRing _ring;
    private readonly MemoryReplayGuard _replay = new();
    private readonly RecordingForwarder _forwarder;
    private readonly ReBlinder _reBlinder;
    private readonly StopAndGoMixer _delays;
    private readonly RecordingSink _sink = new();
    private readonly byte[] _nodeId = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _nextId = RandomNumberGenerator.GetBytes(32);
    private readonly X25519PrivateKey _nextKey = X25519PrivateKey.Generate();
    private readonly byte[] _recipient = RandomNumberGenerator.GetBytes(32);

    public PacketProcessorTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _dropped = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.dropped");
        _delivered = new MetricCollector<long>(_metrics.Meter, "mixnode.packets.delivered");
        var store = new NodeKeyStore(_dir.Path);
        store.CreateDirectories();

        // A key two epochs old (retired) and the ring's three: previous, current, next.
        store.GenerateMixKeys(Epoch - 2, 4);
        _mixKeys = store.MixPublicKeys();
        _ring = new MixKeyRing(store, new EpochClock(_time), generateMissing: false);
        _forwarder = new RecordingForwarder(_time);
        _reBlinder = new ReBlinder(_time);

        // A processor made without the re-blinder re-blinds at once; the queue then finds nothing pending.
        _delays = new StopAndGoMixer(16, _time, _forwarder, _metrics, gate: _reBlinder);
    }

    public void Dispose()
    {
        _delays.Dispose();
        _ring.Dispose();
        _nextKey.Dispose();
        _dropped.Dispose();
        _delivered.Dispose();
        _meters.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_forward_packet_waits_its_delay_then_goes_to_the_next_hop_which_can_unwrap_it()
    {
        (byte[] packet, byte[] message) = ForwardPacket(Epoch, delayMs: 250);
        long received = _time.GetTimestamp();
        Processor().Process(Ingress(packet));

        Assert.Equal(1, _delays.Count);
        Assert.Empty(_forwarder.Forwarded);
        _time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.Empty(_forwarder.Forwarded);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        OutgoingPacket scheduled = Assert.Single(_forwarder.Forwarded).Packet;
        Assert.Equal(Bytes32.From(_nextId), scheduled.NextNodeId);
        Assert.Equal(received, scheduled.ReceivedTimestamp);
        Assert.Equal(received + (long)(0.25 * _time.TimestampFrequency), scheduled.DueTimestamp);

        // The buffer now holds the next hop's packet.
        Span<byte> next = scheduled.Buffer.AsSpan(0, s_geometry.PacketLength);
        Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(s_geometry, _nextKey, next, out UnwrappedPacket last));
        Assert.Equal(UnwrappedKind.Deliver, last.Kind);
        Assert.Equal(message, last.Payload(next).ToArray());

        Assert.Equal([Epoch], _replay.AcceptedEpochs);
        Assert.Empty(_dropped.GetMeasurementSnapshot());
    }

    [Fact]
    public void A_last_hop_packet_reaches_the_sink_byte_identical()
    {
        (byte[] packet, byte[] message) = LastHopPacket(Epoch);
        Processor().Process(Ingress(packet));

        RecordingSink.Message delivered = Assert.Single(_sink.Messages);
        Assert.Equal(Bytes32.From(_recipient), delivered.Recipient);
        Assert.False(delivered.IsSurbReply);
        Assert.Equal(message, delivered.Payload);
        Assert.Equal(1, _delivered.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(0, _delays.Count);
    }

    [Fact]
    public void A_surb_reply_reaches_the_sink_with_its_surb_id_and_the_creator_can_decrypt_it()
    {
        byte[] surbId = RandomNumberGenerator.GetBytes(Bytes16.Size);
        PathHop[] path = [new(_nodeId, _mixKeys[Epoch].AsReadOnlySpan(), RoutingCommands.ToRecipient(_recipient).WithSurbReply(surbId))];
        byte[] surb = new byte[s_geometry.SurbLength];
        byte[] surbKeys = new byte[SphinxGeometry.SurbKeysLength(1)];
        SurbBuilder.CreateSurb(s_geometry, path, surb, surbKeys);
        byte[] message = RandomNumberGenerator.GetBytes(s_geometry.ForwardPayloadLength);
        byte[] packet = new byte[s_geometry.PacketLength];
        SurbBuilder.CreateReply(s_geometry, surb, message, packet, out _);

        Processor().Process(Ingress(packet));

        RecordingSink.Message delivered = Assert.Single(_sink.Messages);
        Assert.True(delivered.IsSurbReply);
        Assert.Equal(Bytes16.From(surbId), delivered.SurbId);
        Assert.Equal(ReplyDecryptResult.Success, SurbBuilder.TryDecryptReply(s_geometry, surbKeys, delivered.Payload));
        Assert.Equal(message, delivered.Payload[SphinxGeometry.PayloadTagLength..]);
    }

    [Fact]
    public void A_replayed_packet_is_dropped_with_reason_replay()
    {
        (byte[] packet, _) = LastHopPacket(Epoch);
        PacketProcessor processor = Processor();
        processor.Process(Ingress(packet));
        processor.Process(Ingress(packet));

        Assert.Single(_sink.Messages);
        AssertDropped("replay");
    }

    [Fact]
    public void Garbage_is_dropped_as_mac_or_malformed()
    {
        PacketProcessor processor = Processor();

        // Right length and version, random rest: no key's MAC verifies.
        byte[] random = RandomNumberGenerator.GetBytes(s_geometry.PacketLength);
        random[0] = 0;
        random[1] = 0;
        processor.Process(Ingress(random));
        AssertDropped("mac");

        // A bad version, a low-order alpha (all zero) and a wrong length are malformed before any MAC is checked.
        byte[] version = RandomNumberGenerator.GetBytes(s_geometry.PacketLength);
        version[0] = 1;
        processor.Process(Ingress(version));
        processor.Process(Ingress(new byte[s_geometry.PacketLength]));
        processor.Process(Ingress(RandomNumberGenerator.GetBytes(s_geometry.PacketLength - 1)));
        AssertDropped("mac", "malformed", "malformed", "malformed");

        Assert.Empty(_replay.AcceptedEpochs);
        Assert.Empty(_sink.Messages);
        Assert.Equal(0, _delays.Count);
    }

    [Fact]
    public void A_packet_whose_payload_was_altered_is_dropped_as_malformed_at_the_last_hop()
    {
        (byte[] packet, _) = LastHopPacket(Epoch);
        packet[^1] ^= 1;
        Processor().Process(Ingress(packet));
        AssertDropped("malformed");
        Assert.Empty(_sink.Messages);
    }

    [Fact]
    public void Packets_for_the_previous_and_the_next_epoch_are_unwrapped_but_not_one_for_a_retired_epoch()
    {
        PacketProcessor processor = Processor();
        processor.Process(Ingress(LastHopPacket(Epoch - 1).Packet));
        processor.Process(Ingress(LastHopPacket(Epoch + 1).Packet));
        Assert.Equal(2, _sink.Messages.Count);
        Assert.Equal([Epoch - 1, Epoch + 1], _replay.AcceptedEpochs);

        processor.Process(Ingress(LastHopPacket(Epoch - 2).Packet));
        Assert.Equal(2, _sink.Messages.Count);
        AssertDropped("mac");
    }

    [Fact]
    public void A_delay_above_the_maximum_is_dropped_with_reason_delay()
    {
        PacketProcessor processor = Processor();
        processor.Process(Ingress(ForwardPacket(Epoch, delayMs: (uint)s_maxDelay.TotalMilliseconds).Packet));
        Assert.Equal(1, _delays.Count);

        processor.Process(Ingress(ForwardPacket(Epoch, delayMs: (uint)s_maxDelay.TotalMilliseconds + 1).Packet));
        processor.Process(Ingress(ForwardPacket(Epoch, delayMs: uint.MaxValue).Packet));
        Assert.Equal(1, _delays.Count);
        AssertDropped("delay", "delay");
    }

    [Fact]
    public void A_full_delay_queue_drops_with_reason_overload()
    {
        long now = _time.GetTimestamp();
        for (int i = 0; i < 16; i++)
        {
            Assert.True(_delays.TryEnqueue(new OutgoingPacket([], default, now, now + _time.TimestampFrequency)));
        }

        Processor().Process(Ingress(ForwardPacket(Epoch, delayMs: 100).Packet));
        Assert.Equal(16, _delays.Count);
        AssertDropped("overload");
    }

    [Fact]
    public void A_sink_without_room_drops_with_reason_overload()
    {
        _sink.Refuse = true;
        Processor().Process(Ingress(LastHopPacket(Epoch).Packet));
        AssertDropped("overload");
        Assert.Empty(_delivered.GetMeasurementSnapshot());
    }

    [Fact]
    public void With_a_re_blinder_a_forward_waits_with_its_old_alpha_and_leaves_re_blinded()
    {
        (byte[] packet, byte[] message) = ForwardPacket(Epoch, delayMs: 250);
        IngressPacket ingress = Ingress(packet);
        Processor(reBlind: true).Process(ingress);

        Assert.Equal(1, _reBlinder.PendingCount);
        Assert.Equal(packet[2..34], ingress.Buffer[2..34]);
        _time.Advance(TimeSpan.FromMilliseconds(250));

        OutgoingPacket scheduled = Assert.Single(_forwarder.Forwarded).Packet;
        Assert.Equal(0, _reBlinder.PendingCount);
        Assert.NotEqual(packet[2..34], scheduled.Buffer[2..34]);
        Span<byte> next = scheduled.Buffer.AsSpan(0, s_geometry.PacketLength);
        Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(s_geometry, _nextKey, next, out UnwrappedPacket last));
        Assert.Equal(message, last.Payload(next).ToArray());
    }

    [Fact]
    public void With_a_re_blinder_eight_waiting_forwards_are_re_blinded_together_before_they_are_due()
    {
        PacketProcessor processor = Processor(reBlind: true);
        var sent = new List<(byte[] Packet, byte[] Message, byte[] Buffer)>();
        for (int i = 0; i < SphinxUnwrapper.MaxBatch; i++)
        {
            (byte[] packet, byte[] message) = ForwardPacket(Epoch, delayMs: 500);
            IngressPacket ingress = Ingress(packet);
            processor.Process(ingress);
            sent.Add((packet, message, ingress.Buffer));
            Assert.Equal(i == SphinxUnwrapper.MaxBatch - 1 ? 0 : i + 1, _reBlinder.PendingCount);
        }

        // Re-blinded while still waiting: the mixer has nothing left to do but send them.
        Assert.Empty(_forwarder.Forwarded);
        Assert.All(sent, s => Assert.NotEqual(s.Packet[2..34], s.Buffer[2..34]));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(SphinxUnwrapper.MaxBatch, _forwarder.Forwarded.Count);
        foreach ((_, byte[] message, byte[] buffer) in sent)
        {
            Span<byte> next = buffer.AsSpan(0, s_geometry.PacketLength);
            Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(s_geometry, _nextKey, next, out UnwrappedPacket last));
            Assert.Equal(message, last.Payload(next).ToArray());
        }
    }

    [Fact]
    public void With_a_re_blinder_a_forward_that_leaves_within_the_flush_horizon_is_re_blinded_at_once()
    {
        PacketProcessor processor = Processor(reBlind: true);
        (byte[] slow, _) = ForwardPacket(Epoch, delayMs: 500);
        IngressPacket slowIngress = Ingress(slow);
        processor.Process(slowIngress);
        Assert.Equal(1, _reBlinder.PendingCount);

        (byte[] soon, _) = ForwardPacket(Epoch, delayMs: (uint)ReBlinder.FlushAhead.TotalMilliseconds);
        IngressPacket soonIngress = Ingress(soon);
        processor.Process(soonIngress);

        Assert.NotEqual(soon[2..34], soonIngress.Buffer[2..34]);
        Assert.Equal(slow[2..34], slowIngress.Buffer[2..34]);
        Assert.Equal(1, _reBlinder.PendingCount);
    }

    [Fact]
    public void With_a_re_blinder_a_batch_of_immediate_forwards_is_re_blinded_with_the_batch_and_each_unwraps_next()
    {
        var batch = new UnwrapBatch();
        var messages = new List<byte[]>();
        for (int i = 0; i < SphinxUnwrapper.MaxBatch; i++)
        {
            (byte[] packet, byte[] message) = ForwardPacket(Epoch, delayMs: 0);
            batch.Packets[batch.Count++] = Ingress(packet);
            messages.Add(message);
        }

        Processor(reBlind: true).ProcessBatch(batch);

        Assert.Equal(0, _reBlinder.PendingCount);
        Assert.Equal(SphinxUnwrapper.MaxBatch, _forwarder.Forwarded.Count);
        for (int i = 0; i < messages.Count; i++)
        {
            Span<byte> next = _forwarder.Forwarded[i].Packet.Buffer.AsSpan(0, s_geometry.PacketLength);
            Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(s_geometry, _nextKey, next, out UnwrappedPacket last));
            Assert.Equal(messages[i], last.Payload(next).ToArray());
        }
    }

    [Fact]
    public void With_a_re_blinder_a_forward_the_full_queue_refuses_is_forgotten()
    {
        long now = _time.GetTimestamp();
        for (int i = 0; i < 16; i++)
        {
            Assert.True(_delays.TryEnqueue(new OutgoingPacket([], default, now, now + _time.TimestampFrequency)));
        }

        Processor(reBlind: true).Process(Ingress(ForwardPacket(Epoch, delayMs: 100).Packet));
        Assert.Equal(0, _reBlinder.PendingCount);
        AssertDropped("overload");
    }

    [Fact]
    public async Task A_burst_that_fits_a_batch_while_every_worker_sleeps_is_unwrapped_on_the_links_thread()
    {
        (IngressQueue queue, CryptoWorkerPool pool) = await StartSleepingPoolAsync();

        byte[][] messages = [.. Enumerable.Range(0, 3).Select(_ =>
        {
            (byte[] packet, byte[] message) = LastHopPacket(Epoch);
            queue.EnqueueInBurst(Ingress(packet));
            return message;
        })];
        int thread = Environment.CurrentManagedThreadId;
        queue.EndOfBurst();

        Assert.Equal(messages, _sink.Messages.Select(m => m.Payload));
        Assert.All(_sink.Threads, t => Assert.Equal(thread, t));
        Assert.Equal(2, pool.ParkedCount);
        await pool.StopAsync();
    }

    [Fact]
    public async Task A_burst_larger_than_a_batch_goes_to_the_workers()
    {
        (IngressQueue queue, CryptoWorkerPool pool) = await StartSleepingPoolAsync();

        for (int i = 0; i < SphinxUnwrapper.MaxBatch + 1; i++)
        {
            queue.EnqueueInBurst(Ingress(LastHopPacket(Epoch).Packet));
        }

        queue.EndOfBurst();
        await WaitUntilAsync(() => _sink.Count == SphinxUnwrapper.MaxBatch + 1);
        await pool.StopAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_batch_is_handled_exactly_as_one_packet_at_a_time(bool reBlind)
    {
        // Current, previous and next epoch, a replay inside the batch, garbage, a forward packet: eight at once.
        (byte[] current, byte[] currentMessage) = LastHopPacket(Epoch);
        (byte[] previous, _) = LastHopPacket(Epoch - 1);
        (byte[] next, _) = LastHopPacket(Epoch + 1);
        (byte[] retired, _) = LastHopPacket(Epoch - 2);
        (byte[] forward, _) = ForwardPacket(Epoch, delayMs: 0);
        byte[] garbage = RandomNumberGenerator.GetBytes(s_geometry.PacketLength);
        garbage[0] = 0;
        garbage[1] = 0;
        byte[][] packets = [current, previous, next, current, retired, garbage, forward, new byte[s_geometry.PacketLength]];

        var batch = new UnwrapBatch();
        foreach (byte[] packet in packets)
        {
            batch.Packets[batch.Count++] = Ingress(packet);
        }

        Processor(reBlind).ProcessBatch(batch);

        Assert.Equal(3, _sink.Messages.Count);
        Assert.Equal(currentMessage, _sink.Messages[0].Payload);
        Assert.Equal([Epoch, Epoch - 1, Epoch + 1, Epoch], _replay.AcceptedEpochs);
        AssertDropped("replay", "mac", "mac", "malformed");
        OutgoingPacket forwarded = Assert.Single(_forwarder.Forwarded).Packet;
        Assert.Equal(UnwrapResult.Success, SphinxUnwrapper.Unwrap(s_geometry, _nextKey, forwarded.Buffer.AsSpan(0, s_geometry.PacketLength), out _));
        Assert.Equal(0, _reBlinder.PendingCount);
    }

    /// <summary>A pool of two workers on a fresh queue, returned once both sleep.</summary>
    private async Task<(IngressQueue Queue, CryptoWorkerPool Pool)> StartSleepingPoolAsync()
    {
        var queue = new IngressQueue(64, _metrics);
        var pool = new CryptoWorkerPool(queue, Processor(reBlind: true), _metrics, NullLogger.Instance);
        pool.Start(2);
        await WaitUntilAsync(() => pool.ParkedCount == 2);
        return (queue, pool);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "not reached within 10 s");
    }

    private PacketProcessor Processor(bool reBlind = false) =>
        new(s_geometry, _ring, _replay, _delays, _sink, _metrics, _time, s_maxDelay, reBlinder: reBlind ? _reBlinder : null);

    private IngressPacket Ingress(byte[] packet)
    {
        byte[] buffer = PacketBuffers.Rent(packet.Length);
        packet.CopyTo(buffer, 0);
        return new IngressPacket(buffer, packet.Length, _time.GetTimestamp());
    }

    /// <summary>This node, then the next hop (which delivers).</summary>
    private (byte[] Packet, byte[] Message) ForwardPacket(long epoch, uint delayMs) => Create(
    [
        new PathHop(_nodeId, _mixKeys[epoch].AsReadOnlySpan(), RoutingCommands.Delay(delayMs)),
        new PathHop(_nextId, _nextKey.PublicKey, RoutingCommands.ToRecipient(_recipient)),
    ]);

    /// <summary>This node as the only hop.</summary>
    private (byte[] Packet, byte[] Message) LastHopPacket(long epoch) =>
        Create([new PathHop(_nodeId, _mixKeys[epoch].AsReadOnlySpan(), RoutingCommands.ToRecipient(_recipient))]);

    private static (byte[] Packet, byte[] Message) Create(PathHop[] path)
    {
        byte[] message = RandomNumberGenerator.GetBytes(s_geometry.ForwardPayloadLength);
        byte[] packet = new byte[s_geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(s_geometry, path, message, packet);
        return (packet, message);
    }

    private void AssertDropped(params string[] reasons) =>
        Assert.Equal(reasons, _dropped.GetMeasurementSnapshot().Select(m => (string)m.Tags["reason"]!));

    private sealed class MemoryReplayGuard : IReplayGuard
    {
        private readonly HashSet<(long, Bytes32)> _seen = [];

        public List<long> AcceptedEpochs { get; } = [];

        public bool TryAccept(long epoch, in Bytes32 tag)
        {
            lock (_seen)
            {
                if (!_seen.Add((epoch, tag)))
                {
                    return false;
                }

                AcceptedEpochs.Add(epoch);
                return true;
            }
        }
    }

    private sealed class RecordingSink : IDeliverySink
    {
        public List<Message> Messages { get; } = [];

        /// <summary>The managed thread each message was delivered on.</summary>
        public List<int> Threads { get; } = [];

        public bool Refuse { get; set; }

        public bool Deliver(in DeliveredMessage message)
        {
            if (Refuse)
            {
                return false;
            }

            // Workers deliver concurrently in the worker pool tests.
            lock (Messages)
            {
                Messages.Add(new Message(message.RecipientId, message.IsSurbReply, message.SurbId, message.Payload.ToArray()));
                Threads.Add(Environment.CurrentManagedThreadId);
            }

            return true;
        }

        public int Count
        {
            get
            {
                lock (Messages)
                {
                    return Messages.Count;
                }
            }
        }

        internal sealed record Message(Bytes32 Recipient, bool IsSurbReply, Bytes16 SurbId, byte[] Payload);
    }
}
