using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Mixnode.Node.Delivery;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Sphinx;
using Mixnode.Links.Wire;
using Mixnode.Links;

namespace Mixnode.Client.Tests;

/// <summary>
/// The payload and loop streams on a FakeTimeProvider: every send is checked to happen exactly at its tick (not one
/// tick early), real messages only in payload slots, oldest first, drops in the empty slots, loops on their own.
/// </summary>
public sealed class LoopixStreamsTests : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly TestNetwork _network = new();
    private readonly PacketBuilder _builder;
    private readonly NodeDescriptor _provider;
    private readonly Bytes32 _ownId = Bytes32.From(RandomNumberGenerator.GetBytes(32));
    private readonly LoopMarker _marker = new();
    private readonly RecordingSender _sender;

    public LoopixStreamsTests()
    {
        _builder = new PacketBuilder(_network.Topology, _network.Time);
        _provider = _network.Topology.Providers[0];
        _sender = new RecordingSender(_network.Time);
    }

    public void Dispose()
    {
        _marker.Dispose();
        _network.Dispose();
    }

    [Fact]
    public async Task Payload_slots_and_loops_leave_exactly_at_their_times_and_empty_slots_carry_drops()
    {
        // Every gap is its mean: slots every 250 ms, loops every 1.25 s; at 2.5 s both are due, the slot goes first.
        await using LoopixStreams streams = Start(payloadRate: 4, loopRate: 0.8, () => 1);
        (double At, Kind Kind)[] expected =
        [
            (0.25, Kind.Drop), (0.5, Kind.Drop), (0.75, Kind.Drop), (1.0, Kind.Drop), (1.25, Kind.Drop), (1.25, Kind.Loop),
            (1.5, Kind.Drop), (1.75, Kind.Drop), (2.0, Kind.Drop), (2.25, Kind.Drop), (2.5, Kind.Drop), (2.5, Kind.Loop),
        ];

        await StepThroughAsync(expected.Select(e => e.At));
        Assert.Equal(expected.Select(e => e.Kind), _sender.Sent.Select(s => Classify(s.Packet)));
        Assert.Equal(expected.Select(e => TimeSpan.FromSeconds(e.At)), _sender.Sent.Select(s => s.At));
        Assert.Equal((10, 2, 0), (streams.Counters.DropsSent, streams.Counters.LoopsSent, streams.Counters.MessagesSent));
    }

    [Fact]
    public async Task Gaps_are_the_exponential_draws_over_the_rate()
    {
        double[] draws = [0.5, 2, 1, 0.25];
        int next = 0;
        await using LoopixStreams streams = Start(payloadRate: 4, loopRate: 0, () => draws[next++ % draws.Length]);

        // 0.125, +0.5, +0.25, +0.0625 seconds; each on the first whole millisecond at or after its time.
        await StepThroughAsync([0.125, 0.625, 0.875, 0.938, 1.063]);
        Assert.Equal([0.125, 0.625, 0.875, 0.938, 1.063], _sender.Sent.Select(s => Math.Round(s.At.TotalSeconds, 6)));
        Assert.All(_sender.Sent, s => Assert.Equal(Kind.Drop, Classify(s.Packet)));
    }

    [Fact]
    public async Task A_queued_message_waits_for_the_next_payload_slot_and_takes_it_in_place_of_a_drop()
    {
        await using LoopixStreams streams = Start(payloadRate: 4, loopRate: 0, () => 1);
        await StepThroughAsync([0.25]);

        // Queued between slots: it does not leave now, nor a tick before the next slot.
        _network.Time.Advance(TimeSpan.FromMilliseconds(100));
        ForwardPacket message = _builder.CreateForward(_provider, _network.Topology.Providers[1], new byte[32], "hi"u8);
        Assert.True(streams.TryEnqueue(message));
        Assert.Equal(1, streams.QueuedMessages);
        await StepThroughAsync([0.5, 0.75]);

        Assert.Equal([Kind.Drop, Kind.Message, Kind.Drop], _sender.Sent.Select(s => Classify(s.Packet, message)));
        Assert.Equal(TimeSpan.FromSeconds(0.5), _sender.Sent[1].At);
        Assert.Equal((1, 2), (streams.Counters.MessagesSent, streams.Counters.DropsSent));
        Assert.Equal(0, streams.QueuedMessages);
    }

    [Fact]
    public async Task Waiting_messages_leave_oldest_first_one_per_slot()
    {
        ForwardPacket[] messages = [.. Enumerable.Range(0, 3).Select(i => _builder.CreateForward(_provider, _provider, new byte[32], [(byte)i]))];
        await using LoopixStreams streams = Create(payloadRate: 4, loopRate: 0, () => 1);
        Assert.All(messages, m => Assert.True(streams.TryEnqueue(m)));
        streams.Start();

        await StepThroughAsync([0.25, 0.5, 0.75, 1.0]);
        Assert.Same(messages[0].Packet, _sender.Sent[0].Packet);
        Assert.Same(messages[1].Packet, _sender.Sent[1].Packet);
        Assert.Same(messages[2].Packet, _sender.Sent[2].Packet);
        Assert.Equal(Kind.Drop, Classify(_sender.Sent[3].Packet));
    }

    [Fact]
    public async Task A_full_queue_refuses_the_message_and_counts_it()
    {
        await using LoopixStreams streams = Create(payloadRate: 4, loopRate: 0, () => 1, maxQueued: 2);
        ForwardPacket message = _builder.CreateForward(_provider, _provider, new byte[32], [1]);
        Assert.True(streams.TryEnqueue(message));
        Assert.True(streams.TryEnqueue(message));
        Assert.False(streams.TryEnqueue(message));
        Assert.Equal(1, streams.Counters.MessagesRejected);
        Assert.Equal(2, streams.QueuedMessages);

        // A slot frees a place.
        streams.Start();
        await StepThroughAsync([0.25]);
        Assert.True(streams.TryEnqueue(message));
    }

    [Fact]
    public async Task A_link_that_refuses_a_packet_ends_the_streams()
    {
        _sender.Refuse = true;
        await using LoopixStreams streams = Start(payloadRate: 4, loopRate: 0, () => 1);
        _network.Time.Advance(TimeSpan.FromSeconds(0.25));
        await streams.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, streams.Counters.SendFailures);
        Assert.Equal(0, streams.Counters.DropsSent);
        Assert.False(streams.TryEnqueue(_builder.CreateForward(_provider, _provider, new byte[32], [1])));
    }

    [Fact]
    public async Task Disposing_stops_the_streams()
    {
        LoopixStreams streams = Start(payloadRate: 4, loopRate: 1, () => 1);
        await StepThroughAsync([0.25]);
        await streams.DisposeAsync();
        Assert.True(streams.Completion.IsCompleted);
        _network.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Single(_sender.Sent);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(double.NaN, 1)]
    [InlineData(1, -1)]
    [InlineData(1, double.PositiveInfinity)]
    public void Impossible_rates_are_refused(double payloadRate, double loopRate) =>
        Assert.Throws<ArgumentException>(() => Create(payloadRate, loopRate, () => 1));

    [Fact]
    public void The_network_documents_rates_are_the_default()
    {
        CoverTrafficOptions options = CoverTrafficOptions.FromTopology(_network.Topology);
        Assert.Equal(_network.Topology.Mixing.ClientPayloadRatePerSecond, options.PayloadRatePerSecond);
        Assert.Equal(_network.Topology.Mixing.ClientLoopRatePerSecond, options.LoopRatePerSecond);
        Assert.Null(options.Validate());
    }

    /// <summary>Streams not started yet; the fake clock does not move before the test starts them, so times count from now.</summary>
    private LoopixStreams Create(double payloadRate, double loopRate, Func<double> exponential, int maxQueued = CoverTrafficOptions.DefaultMaxQueuedMessages)
    {
        _sender.Start = _network.Time.GetUtcNow();
        return new(_builder, _provider, _ownId, _marker, _sender, new CoverTrafficOptions { PayloadRatePerSecond = payloadRate, LoopRatePerSecond = loopRate, MaxQueuedMessages = maxQueued }, _network.Time, exponential: exponential);
    }

    private LoopixStreams Start(double payloadRate, double loopRate, Func<double> exponential)
    {
        LoopixStreams streams = Create(payloadRate, loopRate, exponential);
        streams.Start();
        return streams;
    }

    /// <summary>
    /// For each send time (seconds from the start, ascending, repeats for sends at the same time): a tick before it
    /// nothing more has gone, at it the sends due then have. The streams wait on the fake clock, so nothing can leave
    /// between the steps however slowly the test runs.
    /// </summary>
    private async Task StepThroughAsync(IEnumerable<double> times)
    {
        foreach (IGrouping<double, double> group in times.GroupBy(t => t))
        {
            TimeSpan at = TimeSpan.FromSeconds(group.Key);
            int before = _sender.Count;
            AdvanceTo(at - Tick);
            await Task.Delay(20);
            Assert.Equal(before, _sender.Count);
            AdvanceTo(at);
            await WaitUntilAsync(() => _sender.Count >= before + group.Count());
            Assert.Equal(before + group.Count(), _sender.Count);
        }
    }

    private void AdvanceTo(TimeSpan sinceStart)
    {
        TimeSpan step = sinceStart - (_network.Time.GetUtcNow() - _sender.Start);
        if (step > TimeSpan.Zero)
        {
            _network.Time.Advance(step);
        }
    }

    private Kind Classify(byte[] packet, ForwardPacket? message = null)
    {
        if (message is not null && ReferenceEquals(packet, message.Packet))
        {
            return Kind.Message;
        }

        (List<HopWalker.Hop> hops, byte[] delivered) = HopWalker.Walk(_network, packet, _provider.Id);
        Bytes32 recipient = hops[^1].Result.Commands.RecipientId;
        if (recipient == DropRecipient.Id)
        {
            return Kind.Drop;
        }

        Assert.Equal(_ownId, recipient);
        Assert.Equal(_provider.Name, hops[^1].Node.Name);
        Assert.True(_marker.IsLoop(delivered));
        return Kind.Loop;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(2);
        }
    }

    private enum Kind
    {
        Message,
        Drop,
        Loop,
    }

    /// <summary>Records each packet with the fake time it was handed over at.</summary>
    private sealed class RecordingSender(TimeProvider time) : IPacketSender
    {
        private readonly List<(TimeSpan At, byte[] Packet)> _sent = [];

        public DateTimeOffset Start { get; set; }

        public bool Refuse { get; set; }

        public int Count
        {
            get
            {
                lock (_sent)
                {
                    return _sent.Count;
                }
            }
        }

        public List<(TimeSpan At, byte[] Packet)> Sent
        {
            get
            {
                lock (_sent)
                {
                    return [.. _sent];
                }
            }
        }

        public ValueTask<bool> SendPacketAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default)
        {
            if (Refuse)
            {
                return ValueTask.FromResult(false);
            }

            Assert.True(MemoryMarshal.TryGetArray(packet, out ArraySegment<byte> segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length);
            lock (_sent)
            {
                _sent.Add((time.GetUtcNow() - Start, segment.Array!));
            }

            return ValueTask.FromResult(true);
        }
    }
}
