using System.Collections.Concurrent;
using System.Threading.Channels;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Client;

/// <summary>
/// One client of the network: a fresh X25519 key (its public half is the client's recipient id), a provider, the
/// link to it and a packet builder for the topology. Sends messages to other clients' mailboxes and echo loops
/// through its own provider; what arrives is read from <see cref="Received"/> (or taken by the
/// <see cref="ClientDeliveryHandler"/> given at connect), SURB replies decrypted with <see cref="TryOpenReply"/>.
/// </summary>
internal sealed class MixnodeClient : IAsyncDisposable
{
    private readonly X25519PrivateKey _key;
    private readonly ConcurrentDictionary<Bytes16, ReplyBlock> _pendingReplies = new();

    private MixnodeClient(X25519PrivateKey key, NodeDescriptor provider, PacketBuilder packets, ClientLink link)
    {
        _key = key;
        Id = Bytes32.From(key.PublicKey);
        Provider = provider;
        Packets = packets;
        Link = link;
    }

    /// <summary>Our recipient id: the static public key; messages for it wait at <see cref="Provider"/>.</summary>
    public Bytes32 Id { get; }

    public NodeDescriptor Provider { get; }

    public PacketBuilder Packets { get; }

    public ClientLink Link { get; }

    public ChannelReader<ClientDelivery> Received => Link.Received;

    /// <summary>
    /// Makes a client with a fresh key (or <paramref name="key"/>, which it then owns) and connects it to
    /// <paramref name="provider"/> (a random one when null). Throws <see cref="ClientException"/> when the topology has
    /// no provider or the provider cannot be reached. With <paramref name="onDelivery"/>, arrivals go to it on the
    /// link's receive loop instead of <see cref="Received"/>.
    /// </summary>
    public static async Task<MixnodeClient> ConnectAsync(
        NetworkTopology topology,
        NodeDescriptor? provider = null,
        ClientLinkOptions? options = null,
        TimeProvider? time = null,
        ClientDeliveryHandler? onDelivery = null,
        X25519PrivateKey? key = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        time ??= TimeProvider.System;
        if (topology.Providers.IsEmpty)
        {
            throw new ClientException("the topology lists no provider: clients have nowhere to connect");
        }

        var packets = new PacketBuilder(topology, time);
        packets.CurrentEpoch();
        provider ??= packets.Routes.RandomProvider();
        key ??= X25519PrivateKey.Generate();
        try
        {
            ClientLink link = await ClientLink.ConnectAsync(provider, topology.Geometry, key, options, time, onDelivery, cancellationToken).ConfigureAwait(false);
            return new MixnodeClient(key, provider, packets, link);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>A route from our provider to <paramref name="recipientProvider"/>, with delays, to build a packet on later.</summary>
    public RoutePlan PlanRoute(NodeDescriptor recipientProvider) => Packets.PlanRoute(Provider, recipientProvider);

    /// <summary>Builds a packet for <paramref name="recipientId"/> at <paramref name="recipientProvider"/> without sending it.</summary>
    public ForwardPacket Prepare(NodeDescriptor recipientProvider, Bytes32 recipientId, ReadOnlySpan<byte> message) =>
        Packets.CreateForward(Provider, recipientProvider, recipientId.AsReadOnlySpan(), message);

    /// <summary>Sends a message; false when the link to the provider is gone.</summary>
    public async ValueTask<bool> SendAsync(NodeDescriptor recipientProvider, Bytes32 recipientId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ForwardPacket packet = Prepare(recipientProvider, recipientId, message.Span);
        return await Link.SendPacketAsync(packet.Packet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="payload"/> round the network to our provider's echo service and back; returns the SURB id to expect.</summary>
    public async ValueTask<Bytes16> SendEchoAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ForwardPacket packet = Packets.CreateEcho(Provider, Id.AsReadOnlySpan(), payload.Span, out ReplyBlock reply);
        _pendingReplies[reply.Id] = reply;
        if (!await Link.SendPacketAsync(packet.Packet, cancellationToken).ConfigureAwait(false))
        {
            _pendingReplies.TryRemove(reply.Id, out _);
            reply.Dispose();
            throw new ClientException($"the link to provider '{Provider.Name}' is closed: {Link.CloseReason}");
        }

        return reply.Id;
    }

    /// <summary>The message inside a SURB reply to one of our echo requests, or null (unknown SURB id, or it does not decrypt).</summary>
    public byte[]? TryOpenReply(ClientDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (delivery.Kind != ClientDeliveryKind.SurbReply || !_pendingReplies.TryRemove(delivery.SurbId, out ReplyBlock? reply))
        {
            return null;
        }

        using (reply)
        {
            return reply.TryDecrypt(delivery.Payload);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync().ConfigureAwait(false);
        foreach (ReplyBlock reply in _pendingReplies.Values)
        {
            reply.Dispose();
        }

        _pendingReplies.Clear();
        _key.Dispose();
    }
}
