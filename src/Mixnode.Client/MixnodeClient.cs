using System.Collections.Concurrent;
using System.Threading.Channels;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Client;

/// <summary>
/// One client of the network: a fresh X25519 key (its public half is the client's recipient id), a provider, the
/// link to it and a packet builder for the topology. Sends messages to other clients' mailboxes and echo loops
/// through its own provider; what arrives is read from <see cref="Received"/> (or taken by the
/// <see cref="ClientDeliveryHandler"/> given at connect), SURB replies decrypted with <see cref="TryOpenReply"/>.
/// With <see cref="StartCoverTraffic"/> it sends as a Loopix client: messages wait for payload slots, drops fill
/// the empty ones, loops come back to its mailbox. Its own loops never reach <see cref="Received"/> or the handler;
/// they are counted in <see cref="Cover"/>.
/// </summary>
internal sealed class MixnodeClient : IAsyncDisposable
{
    private readonly X25519PrivateKey _key;
    private readonly LoopFilter _filter;
    private readonly ConcurrentDictionary<Bytes16, ReplyBlock> _pendingReplies = new();
    private readonly TimeProvider _time;
    private LoopixStreams? _streams;

    private MixnodeClient(X25519PrivateKey key, NodeDescriptor provider, PacketBuilder packets, ClientLink link, LoopMarker loops, LoopFilter filter, CoverCounters cover, TimeProvider time)
    {
        _key = key;
        Id = Bytes32.From(key.PublicKey);
        Provider = provider;
        Packets = packets;
        Link = link;
        Loops = loops;
        _filter = filter;
        Cover = cover;
        _time = time;
    }

    /// <summary>Our recipient id: the static public key; messages for it wait at <see cref="Provider"/>.</summary>
    public Bytes32 Id { get; }

    public NodeDescriptor Provider { get; }

    public PacketBuilder Packets { get; }

    public ClientLink Link { get; }

    /// <summary>Marks our loops' payloads and knows them again (for packets built elsewhere, as loadgen does).</summary>
    public LoopMarker Loops { get; }

    /// <summary>Messages, drops and loops sent by the cover streams, and loops returned (counted with or without them).</summary>
    public CoverCounters Cover { get; }

    /// <summary>The cover streams, or null until <see cref="StartCoverTraffic"/>.</summary>
    public LoopixStreams? CoverStreams => Volatile.Read(ref _streams);

    /// <summary>What arrived in our mailbox except our own loops (empty when a handler was given at connect).</summary>
    public ChannelReader<ClientDelivery> Received => _filter.Received;

    /// <summary>
    /// Makes a client with a fresh key (or <paramref name="key"/>, which it then owns) and connects it to
    /// <paramref name="provider"/> (a random one when null). Throws <see cref="ClientException"/> when the topology has
    /// no provider or the provider cannot be reached. With <paramref name="onDelivery"/>, arrivals go to it on the
    /// link's receive loop instead of <see cref="Received"/>. <paramref name="loops"/> (owned from then on) is for a
    /// caller that built loop packets before connecting; a fresh marker otherwise.
    /// </summary>
    public static async Task<MixnodeClient> ConnectAsync(
        NetworkTopology topology,
        NodeDescriptor? provider = null,
        ClientLinkOptions? options = null,
        TimeProvider? time = null,
        ClientDeliveryHandler? onDelivery = null,
        X25519PrivateKey? key = null,
        LoopMarker? loops = null,
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
        loops ??= new LoopMarker();
        var cover = new CoverCounters();
        var filter = new LoopFilter(loops, cover, onDelivery);
        try
        {
            ClientLink link = await ClientLink.ConnectAsync(provider, topology.Geometry, key, options, time, filter.OnDelivery, cancellationToken).ConfigureAwait(false);
            _ = link.Completion.ContinueWith(_ => filter.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return new MixnodeClient(key, provider, packets, link, loops, filter, cover, time);
        }
        catch
        {
            key.Dispose();
            loops.Dispose();
            throw;
        }
    }

    /// <summary>A route from our provider to <paramref name="recipientProvider"/>, with delays, to build a packet on later.</summary>
    public RoutePlan PlanRoute(NodeDescriptor recipientProvider) => Packets.PlanRoute(Provider, recipientProvider);

    /// <summary>Builds a packet for <paramref name="recipientId"/> at <paramref name="recipientProvider"/> without sending it.</summary>
    public ForwardPacket Prepare(NodeDescriptor recipientProvider, Bytes32 recipientId, ReadOnlySpan<byte> message) =>
        Packets.CreateForward(Provider, recipientProvider, recipientId.AsReadOnlySpan(), message);

    /// <summary>
    /// Starts the Loopix streams (<see cref="LoopixStreams"/>) at the network's rates, or at <paramref name="options"/>'
    /// (every client of a network should send at the same rates). From then on <see cref="SendAsync"/> and
    /// <see cref="SendEchoAsync"/> queue their packets for payload slots instead of sending them at once.
    /// </summary>
    /// <param name="options">The rates; the network document's when null.</param>
    /// <param name="exponential">Exp(1) draws for the gaps; the CSPRNG unless a test fixes them.</param>
    public LoopixStreams StartCoverTraffic(CoverTrafficOptions? options = null, Func<double>? exponential = null)
    {
        options ??= CoverTrafficOptions.FromTopology(Packets.Topology);
        var streams = new LoopixStreams(Packets, Provider, Id, Loops, Link, options, _time, Cover, exponential);
        if (Interlocked.CompareExchange(ref _streams, streams, null) is not null)
        {
            throw new InvalidOperationException("cover traffic is running already");
        }

        streams.Start();
        return streams;
    }

    /// <summary>
    /// Sends a message; false when the link to the provider is gone. With cover traffic on, the message is queued for
    /// the next free payload slot instead (true once queued); a full queue is a <see cref="ClientException"/>.
    /// </summary>
    public async ValueTask<bool> SendAsync(NodeDescriptor recipientProvider, Bytes32 recipientId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        ForwardPacket packet = Prepare(recipientProvider, recipientId, message.Span);
        if (CoverStreams is { } streams)
        {
            Enqueue(streams, packet);
            return true;
        }

        return await Link.SendPacketAsync(packet.Packet, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends <paramref name="payload"/> round the network to our provider's echo service and back; returns the SURB id
    /// to expect. With cover traffic on, the request waits for a payload slot like any message.
    /// </summary>
    public async ValueTask<Bytes16> SendEchoAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ForwardPacket packet = Packets.CreateEcho(Provider, Id.AsReadOnlySpan(), payload.Span, out ReplyBlock reply);
        _pendingReplies[reply.Id] = reply;
        try
        {
            if (CoverStreams is { } streams)
            {
                Enqueue(streams, packet);
            }
            else if (!await Link.SendPacketAsync(packet.Packet, cancellationToken).ConfigureAwait(false))
            {
                throw new ClientException($"the link to provider '{Provider.Name}' is closed: {Link.CloseReason}");
            }
        }
        catch
        {
            _pendingReplies.TryRemove(reply.Id, out _);
            reply.Dispose();
            throw;
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
        if (CoverStreams is { } streams)
        {
            await streams.DisposeAsync().ConfigureAwait(false);
        }

        await Link.DisposeAsync().ConfigureAwait(false);
        foreach (ReplyBlock reply in _pendingReplies.Values)
        {
            reply.Dispose();
        }

        _pendingReplies.Clear();
        _key.Dispose();
        Loops.Dispose();
    }

    private void Enqueue(LoopixStreams streams, ForwardPacket packet)
    {
        if (!streams.TryEnqueue(packet))
        {
            throw new ClientException(streams.Completion.IsCompleted
                ? $"the cover streams have stopped (the link to provider '{Provider.Name}' is {(Link.IsOpen ? "open" : "closed: " + Link.CloseReason)})"
                : $"the send queue is full: {streams.Options.MaxQueuedMessages} messages wait for payload slots at λP = {streams.Options.PayloadRatePerSecond}/s; send more slowly");
        }
    }
}
