using System.Security.Cryptography;

using Mixnode.Links;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Client;

/// <summary>
/// Turns messages into Sphinx packets and SURBs for one topology: picks a route, draws the NodeDelays, looks up each
/// hop's mix key for the current epoch (the topology's epoch period) and calls the Sphinx builders. Every hop but the
/// last gets a NodeDelay, as in Katzenpost (0 under a timed pool, whose mixes ignore it); the last one (a provider)
/// delivers at once. Also builds the two kinds of Loopix cover, drops and loops, which are forwards of exactly the
/// same shape as a real message's: same length, same route length, delays drawn the same way.
/// </summary>
internal sealed class PacketBuilder
{
    /// <summary>The recipient id of a provider's echo service: ASCII "echo" then 28 zero bytes (the provider's own constant).</summary>
    public static ReadOnlySpan<byte> EchoRecipientId => ServiceRecipients.Echo.AsReadOnlySpan();

    private readonly DelaySampler? _fixedDelays;
    private State _state;

    public PacketBuilder(NetworkTopology topology, TimeProvider time, DelaySampler? delays = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
        _fixedDelays = delays;
        _state = StateFor(topology);
    }

    /// <summary>The geometry of every packet this builder makes: fixed, since the provider link's framing depends on it.</summary>
    public SphinxGeometry Geometry => Volatile.Read(ref _state).Topology.Geometry;

    /// <summary>The document packets are built for now (<see cref="Use"/> replaces it).</summary>
    public NetworkTopology Topology => Volatile.Read(ref _state).Topology;

    public TimeProvider Time { get; }

    public EpochClock Clock => Volatile.Read(ref _state).Clock;

    public RouteSelector Routes => Volatile.Read(ref _state).Routes;

    public DelaySampler Delays => Volatile.Read(ref _state).Delays;

    /// <summary>
    /// Builds every packet with this epoch's mix keys instead of the clock's: for packets built ahead of the epoch they
    /// will be sent in (loadgen). Null: the current epoch at build time.
    /// </summary>
    public long? FixedEpoch { get; init; }

    /// <summary>
    /// Switches to <paramref name="topology"/> (the next epoch's consensus): packets built from now on take their
    /// routes, delays and keys from it. Its geometry must be the same as the current one's, since the provider link is
    /// framed for it; another geometry is a <see cref="ClientException"/> and the builder keeps the old document.
    /// </summary>
    public void Use(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        if (!topology.Geometry.Equals(Geometry))
        {
            throw new ClientException($"the new network document has another Sphinx geometry ({topology.Geometry}, was {Geometry}): reconnect to use it");
        }

        Volatile.Write(ref _state, StateFor(topology));
    }

    /// <summary>The message bytes a forward packet carries (shorter messages are padded with zeros).</summary>
    public int MaxMessageLength => Geometry.ForwardPayloadLength;

    /// <summary>Room for the echo payload next to the SURB in an echo request.</summary>
    public int MaxEchoPayloadLength => Geometry.ForwardPayloadLength - Geometry.SurbLength;

    /// <summary>The epoch whose mix keys packets are made with now; a <see cref="ClientException"/> when the topology has none for it.</summary>
    public long CurrentEpoch()
    {
        State state = Volatile.Read(ref _state);
        long epoch = FixedEpoch ?? state.Clock.Current;
        if (!state.Topology.EpochsCovered.Contains(epoch))
        {
            throw new ClientException(
                $"the topology has mix keys for {state.Topology.EpochsCovered}, not for the current epoch {epoch}: get a current network document");
        }

        return epoch;
    }

    /// <summary>A packet that delivers <paramref name="message"/> to <paramref name="recipientId"/>'s mailbox at <paramref name="recipientProvider"/>.</summary>
    public ForwardPacket CreateForward(NodeDescriptor senderProvider, NodeDescriptor recipientProvider, ReadOnlySpan<byte> recipientId, ReadOnlySpan<byte> message)
    {
        if (message.Length > MaxMessageLength)
        {
            throw new ArgumentException($"a message holds at most {MaxMessageLength} bytes, got {message.Length}", nameof(message));
        }

        if (recipientId.Length != Bytes32.Size)
        {
            throw new ArgumentException($"a recipient id is {Bytes32.Size} bytes, got {recipientId.Length}", nameof(recipientId));
        }

        return CreateForward(PlanRoute(senderProvider, recipientProvider), recipientId, message);
    }

    /// <summary>A route from <paramref name="senderProvider"/> to <paramref name="recipientProvider"/> and its delays, for <see cref="CreateForward(RoutePlan, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>.</summary>
    public RoutePlan PlanRoute(NodeDescriptor senderProvider, NodeDescriptor recipientProvider)
    {
        NodeDescriptor[] route = Routes.Select(senderProvider, recipientProvider);
        uint[] delays = new uint[route.Length - 1];
        for (int i = 0; i < delays.Length; i++)
        {
            delays[i] = Delays.NextMs();
        }

        return new RoutePlan(route, delays);
    }

    /// <summary>A packet along a planned route (the last hop of the plan is the recipient's provider).</summary>
    public ForwardPacket CreateForward(RoutePlan plan, ReadOnlySpan<byte> recipientId, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (message.Length > MaxMessageLength)
        {
            throw new ArgumentException($"a message holds at most {MaxMessageLength} bytes, got {message.Length}", nameof(message));
        }

        if (recipientId.Length != Bytes32.Size)
        {
            throw new ArgumentException($"a recipient id is {Bytes32.Size} bytes, got {recipientId.Length}", nameof(recipientId));
        }

        byte[] padded = new byte[Geometry.ForwardPayloadLength];
        message.CopyTo(padded);
        return Build(plan, recipientId, padded);
    }

    /// <summary>
    /// A Loopix drop: a forward from <paramref name="senderProvider"/> through one mix per layer to a provider drawn
    /// uniformly, for <see cref="ServiceRecipients.Drop"/>, carrying random bytes. That provider unwraps it like any packet
    /// and discards it; until then nothing about it differs from a message.
    /// </summary>
    public ForwardPacket CreateDrop(NodeDescriptor senderProvider)
    {
        RoutePlan plan = PlanRoute(senderProvider, Routes.RandomProvider());
        byte[] payload = new byte[Geometry.ForwardPayloadLength];
        RandomNumberGenerator.Fill(payload);
        return Build(plan, ServiceRecipients.Drop.AsReadOnlySpan(), payload);
    }

    /// <summary>
    /// A Loopix loop: a forward from <paramref name="ownProvider"/> through one mix per layer back to
    /// <paramref name="ownProvider"/>, into our own mailbox (<paramref name="ownId"/>), carrying a payload that
    /// <paramref name="marker"/> recognises when it arrives (<see cref="LoopMarker.IsLoop"/>).
    /// </summary>
    public ForwardPacket CreateLoop(NodeDescriptor ownProvider, ReadOnlySpan<byte> ownId, LoopMarker marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        if (ownId.Length != Bytes32.Size)
        {
            throw new ArgumentException($"a recipient id is {Bytes32.Size} bytes, got {ownId.Length}", nameof(ownId));
        }

        RoutePlan plan = PlanRoute(ownProvider, ownProvider);
        byte[] payload = new byte[Geometry.ForwardPayloadLength];
        marker.Write(payload);
        return Build(plan, ownId, payload);
    }

    /// <summary>
    /// A SURB that brings one reply to <paramref name="recipientId"/>'s mailbox at <paramref name="recipientProvider"/>.
    /// Its route is one mix per layer then that provider: the replying provider is where the reply starts, so it
    /// sends the packet to the first mix (as Katzenpost's services do) rather than to itself.
    /// </summary>
    public ReplyBlock CreateSurb(NodeDescriptor recipientProvider, ReadOnlySpan<byte> recipientId)
    {
        ArgumentNullException.ThrowIfNull(recipientProvider);
        if (recipientId.Length != Bytes32.Size)
        {
            throw new ArgumentException($"a recipient id is {Bytes32.Size} bytes, got {recipientId.Length}", nameof(recipientId));
        }

        RoutePlan plan = PlanRoute(recipientProvider, recipientProvider);
        var reply = new RoutePlan(plan.Route.Skip(1).ToArray(), plan.DelaysMs.Skip(1).ToArray());
        Span<byte> surbId = stackalloc byte[SphinxGeometry.SurbIdLength];
        RandomNumberGenerator.Fill(surbId);
        PathHop[] path = BuildPath(reply.Route, reply.DelaysMs, CurrentEpoch(), RoutingCommands.ToRecipient(recipientId).WithSurbReply(surbId));
        byte[] surb = new byte[Geometry.SurbLength];
        byte[] keys = GC.AllocateArray<byte>(SphinxGeometry.SurbKeysLength(path.Length), pinned: true);
        SurbBuilder.CreateSurb(Geometry, path, surb, keys);
        return new ReplyBlock(Geometry, Bytes16.From(surbId), surb, keys, reply.TotalDelayMs);
    }

    /// <summary>
    /// A loop through the network and back: a packet to <paramref name="provider"/>'s echo service carrying a SURB to
    /// ourselves and <paramref name="payload"/>, which the echo service returns through the SURB.
    /// </summary>
    public ForwardPacket CreateEcho(NodeDescriptor provider, ReadOnlySpan<byte> clientId, ReadOnlySpan<byte> payload, out ReplyBlock reply)
    {
        if (payload.Length > MaxEchoPayloadLength)
        {
            throw new ArgumentException($"an echo payload holds at most {MaxEchoPayloadLength} bytes, got {payload.Length}", nameof(payload));
        }

        reply = CreateSurb(provider, clientId);
        byte[] message = new byte[Geometry.ForwardPayloadLength];
        reply.Surb.CopyTo(message, 0);
        payload.CopyTo(message.AsSpan(Geometry.SurbLength));
        return CreateForward(provider, provider, EchoRecipientId, message);
    }

    /// <summary>The packet for a plan and a payload of exactly ForwardPayloadLength bytes (the one allocation besides the packet).</summary>
    private ForwardPacket Build(RoutePlan plan, ReadOnlySpan<byte> recipientId, byte[] payload)
    {
        PathHop[] path = BuildPath(plan.Route, plan.DelaysMs, CurrentEpoch(), RoutingCommands.ToRecipient(recipientId));
        byte[] packet = new byte[Geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(Geometry, path, payload, packet);
        return new ForwardPacket(packet, plan.Route, plan.TotalDelayMs);
    }

    /// <summary>
    /// The Sphinx path of a route. Each hop's mix key is looked up by node id in the document in use now, so a route
    /// whose descriptors came from an earlier document (a client's own provider, kept since it connected) still gets
    /// the keys of the current epoch; a node the current document lacks falls back to its own descriptor's keys.
    /// </summary>
    private PathHop[] BuildPath(IReadOnlyList<NodeDescriptor> route, IReadOnlyList<uint> delaysMs, long epoch, RoutingCommands lastHop)
    {
        if (delaysMs.Count != route.Count - 1)
        {
            throw new ArgumentException($"a route of {route.Count} hops needs {route.Count - 1} delays, got {delaysMs.Count}");
        }

        NetworkTopology topology = Topology;
        var path = new PathHop[route.Count];
        for (int i = 0; i < route.Count; i++)
        {
            NodeDescriptor node = route[i];
            if (!topology.TryGetMixKey(node.Id, epoch, out Bytes32 mixKey) && !node.MixKeys.TryGetValue(epoch, out mixKey))
            {
                throw new ClientException($"node '{node.Name}' has no mix key for epoch {epoch} in the topology");
            }

            RoutingCommands commands = i == route.Count - 1 ? lastHop : RoutingCommands.Delay(delaysMs[i]);
            path[i] = new PathHop(node.Id.AsReadOnlySpan(), mixKey.AsReadOnlySpan(), commands);
        }

        return path;
    }

    private State StateFor(NetworkTopology topology) =>

        // Exp(mean) capped by the document (or all zeros under a timed pool), and at half an epoch.
        new(topology, new EpochClock(Time, topology.EpochPeriod), new RouteSelector(topology), _fixedDelays ?? DelaySampler.ForTopology(topology));

    /// <summary>One document and what is derived from it, swapped as a whole so a packet never mixes two documents.</summary>
    private sealed record State(NetworkTopology Topology, EpochClock Clock, RouteSelector Routes, DelaySampler Delays);
}
