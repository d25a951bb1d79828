using System.Security.Cryptography;
using Mixnode.Node.Delivery;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Client;

/// <summary>
/// Turns messages into Sphinx packets and SURBs for one topology: picks a route, draws the NodeDelays, looks up each
/// hop's mix key for the current epoch (the topology's epoch period) and calls the Sphinx builders. Every hop but the
/// last gets a NodeDelay, as in Katzenpost; the last one (a provider) delivers at once.
/// </summary>
internal sealed class PacketBuilder
{
    /// <summary>The recipient id of a provider's echo service: ASCII "echo" then 28 zero bytes (the provider's own constant).</summary>
    public static ReadOnlySpan<byte> EchoRecipientId => EchoService.RecipientId.AsReadOnlySpan();

    private readonly NetworkTopology _topology;

    public PacketBuilder(NetworkTopology topology, TimeProvider time, DelaySampler? delays = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(time);
        _topology = topology;
        Clock = new EpochClock(time, topology.EpochPeriod);
        Routes = new RouteSelector(topology);

        // A delay longer than an epoch could outlive the keys the packet was made for.
        Delays = delays ?? new DelaySampler(topology.Mixing.MeanDelayMs, Math.Min(topology.Mixing.MeanDelayMs * DelaySampler.DefaultCapInMeans, topology.EpochPeriod.TotalMilliseconds / 2));
    }

    public SphinxGeometry Geometry => _topology.Geometry;

    public NetworkTopology Topology => _topology;

    public EpochClock Clock { get; }

    public RouteSelector Routes { get; }

    public DelaySampler Delays { get; }

    /// <summary>The message bytes a forward packet carries (shorter messages are padded with zeros).</summary>
    public int MaxMessageLength => Geometry.ForwardPayloadLength;

    /// <summary>Room for the echo payload next to the SURB in an echo request.</summary>
    public int MaxEchoPayloadLength => Geometry.ForwardPayloadLength - Geometry.SurbLength;

    /// <summary>The epoch whose mix keys packets are made with now; a <see cref="ClientException"/> when the topology has none for it.</summary>
    public long CurrentEpoch()
    {
        long epoch = Clock.Current;
        if (!_topology.EpochsCovered.Contains(epoch))
        {
            throw new ClientException(
                $"the topology has mix keys for {_topology.EpochsCovered}, not for the current epoch {epoch}: get a current network document");
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

        PathHop[] path = BuildPath(plan.Route, plan.DelaysMs, CurrentEpoch(), RoutingCommands.ToRecipient(recipientId));
        byte[] padded = new byte[Geometry.ForwardPayloadLength];
        message.CopyTo(padded);
        byte[] packet = new byte[Geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(Geometry, path, padded, packet);
        return new ForwardPacket(packet, plan.Route, plan.TotalDelayMs);
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

    private static PathHop[] BuildPath(IReadOnlyList<NodeDescriptor> route, IReadOnlyList<uint> delaysMs, long epoch, RoutingCommands lastHop)
    {
        if (delaysMs.Count != route.Count - 1)
        {
            throw new ArgumentException($"a route of {route.Count} hops needs {route.Count - 1} delays, got {delaysMs.Count}");
        }

        var path = new PathHop[route.Count];
        for (int i = 0; i < route.Count; i++)
        {
            NodeDescriptor node = route[i];
            if (!node.MixKeys.TryGetValue(epoch, out Bytes32 mixKey))
            {
                throw new ClientException($"node '{node.Name}' has no mix key for epoch {epoch} in the topology");
            }

            RoutingCommands commands = i == route.Count - 1 ? lastHop : RoutingCommands.Delay(delaysMs[i]);
            path[i] = new PathHop(node.Id.AsReadOnlySpan(), mixKey.AsReadOnlySpan(), commands);
        }

        return path;
    }
}
