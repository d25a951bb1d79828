using System.Threading.Channels;
using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Unwrap;

/// <summary>
/// The bounded hand-off from links to crypto workers, in two lanes with their own capacities: packets from mix links
/// and packets from clients (with the echo replies made for them). When a packet's lane is full the link does not
/// wait: the packet is dropped and counted (reason overload, and by lane), so a flood cannot grow memory or stall
/// other links, and a client flood cannot take the room of the packets other nodes forward through this one.
/// Workers read both lanes alternately (<see cref="Reader"/>), so neither lane can starve the other of crypto either.
/// </summary>
internal sealed class IngressQueue
{
    private readonly Channel<IngressPacket> _mix;
    private readonly Channel<IngressPacket> _client;
    private readonly NodeMetrics _metrics;

    /// <param name="capacity">Packets waiting from mix links.</param>
    /// <param name="clientCapacity">Packets waiting from clients (and echo replies); 0 means the same as <paramref name="capacity"/>.</param>
    public IngressQueue(int capacity, NodeMetrics metrics, int clientCapacity = 0)
    {
        _metrics = metrics;
        _mix = CreateLane(capacity);
        _client = CreateLane(clientCapacity > 0 ? clientCapacity : capacity);
        Reader = new TwoLaneReader(_mix.Reader, _client.Reader);
        metrics.ObserveQueueDepth("ingress", () => Reader.Count);
    }

    /// <summary>Both lanes, read alternately when both hold packets; complete when both are.</summary>
    public ChannelReader<IngressPacket> Reader { get; }

    /// <summary>Called after each packet <see cref="Enqueue"/> accepted (the worker pool wakes a parked worker); must not block.</summary>
    public Action? PacketAvailable { get; set; }

    /// <summary>Called by <see cref="EndOfBurst"/> (the worker pool processes the burst on the calling thread or wakes workers).</summary>
    public Action? BurstEnded { get; set; }

    /// <summary>
    /// Hands a packet to the workers; on overload returns its buffer and counts the drop. The lane is the client lane
    /// for a packet that came from a client link, else the mix lane, unless given.
    /// </summary>
    public void Enqueue(in IngressPacket packet, IngressLane? lane = null)
    {
        if (TryAdd(packet, lane ?? LaneOf(packet)))
        {
            PacketAvailable?.Invoke();
        }
    }

    /// <summary>
    /// <see cref="Enqueue"/> without telling the workers: a link hands over every packet of one read this way, then
    /// calls <see cref="EndOfBurst"/> once (one decision per read rather than one wake-up per packet).
    /// </summary>
    public void EnqueueInBurst(in IngressPacket packet) => TryAdd(packet, LaneOf(packet));

    /// <summary>After a burst of <see cref="EnqueueInBurst"/>: the workers (or this thread) take it from here.</summary>
    public void EndOfBurst()
    {
        if (Reader.Count > 0)
        {
            BurstEnded?.Invoke();
        }
    }

    public void Complete()
    {
        _mix.Writer.TryComplete();
        _client.Writer.TryComplete();
    }

    private static IngressLane LaneOf(in IngressPacket packet) => packet.ClientOrigin is null ? IngressLane.Mix : IngressLane.Client;

    private static Channel<IngressPacket> CreateLane(int capacity) =>
        Channel.CreateBounded<IngressPacket>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });

    private bool TryAdd(in IngressPacket packet, IngressLane lane)
    {
        _metrics.PacketReceived();
        if ((lane == IngressLane.Mix ? _mix : _client).Writer.TryWrite(packet))
        {
            return true;
        }

        _metrics.PacketDropped(DropReason.Overload);
        _metrics.IngressDropped(lane);
        PacketBuffers.Return(packet.Buffer);
        return false;
    }

    /// <summary>
    /// The workers' view of both lanes: <see cref="TryRead"/> takes from the lane whose turn it is, else from the other,
    /// so under a flood of either kind the other still gets every second packet a worker takes. Allocation-free on
    /// the workers' path (TryRead, TryPeek, Count); the turn is a racy hint, which costs only exactness of alternation.
    /// </summary>
    private sealed class TwoLaneReader : ChannelReader<IngressPacket>
    {
        private readonly ChannelReader<IngressPacket> _mix;
        private readonly ChannelReader<IngressPacket> _client;
        private readonly Task _both;
        private int _turn;

        public TwoLaneReader(ChannelReader<IngressPacket> mix, ChannelReader<IngressPacket> client)
        {
            _mix = mix;
            _client = client;
            _both = Task.WhenAll(mix.Completion, client.Completion);
        }

        /// <summary>
        /// Complete as soon as both lanes are, observably at once: the workers check IsCompleted right after draining
        /// (to stop rather than park), and a WhenAll alone completes a moment later, on another thread.
        /// </summary>
        public override Task Completion =>
            _mix.Completion.IsCompleted ? _client.Completion
            : _client.Completion.IsCompleted ? _mix.Completion
            : _both;

        public override bool CanCount => true;

        public override bool CanPeek => true;

        public override int Count => _mix.Count + _client.Count;

        public override bool TryRead(out IngressPacket item)
        {
            bool clientFirst = (++_turn & 1) == 0;
            return clientFirst
                ? _client.TryRead(out item) || _mix.TryRead(out item)
                : _mix.TryRead(out item) || _client.TryRead(out item);
        }

        public override bool TryPeek(out IngressPacket item) => _mix.TryPeek(out item) || _client.TryPeek(out item);

        public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                if (_mix.TryPeek(out _) || _client.TryPeek(out _))
                {
                    return true;
                }

                if (Completion.IsCompleted)
                {
                    return false;
                }

                // Not on the workers' path (they park on their own wait objects): allocation is fine here. A lane that
                // is complete is not waited on, so the other's wait is not cut short by it over and over.
                cancellationToken.ThrowIfCancellationRequested();
                List<Task<bool>> waits = new(2);
                if (!_mix.Completion.IsCompleted)
                {
                    waits.Add(_mix.WaitToReadAsync(cancellationToken).AsTask());
                }

                if (!_client.Completion.IsCompleted)
                {
                    waits.Add(_client.WaitToReadAsync(cancellationToken).AsTask());
                }

                if (waits.Count == 0)
                {
                    return false;
                }

                await Task.WhenAny(waits).ConfigureAwait(false);
            }
        }
    }
}
