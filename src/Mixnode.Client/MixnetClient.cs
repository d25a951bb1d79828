using System.Security.Cryptography;
using System.Threading.Channels;
using Mixnode.Client.Consensus;
using Mixnode.Links;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>
/// A client of a Mixnode (Katzenpost-compatible) mix network. <see cref="ConnectAsync"/> fetches the network document
/// from the directory authorities (it must carry a threshold of their signatures and must not be older than one
/// already used), picks a provider and connects to it with a fresh key, whose public half is the client's mailbox id
/// (<see cref="Address"/>). Messages go out as Sphinx packets through one mix per layer to the recipient's provider;
/// what reaches our mailbox is read from <see cref="Messages"/>. In the background the client follows the network
/// from epoch to epoch: it fetches each new consensus before its epoch begins and builds packets with the keys and
/// routes of the current one (<see cref="NetworkChanged"/>). When a new consensus no longer lists its provider, it
/// moves to another one with a fresh key (<see cref="ProviderChanged"/>, <see cref="MixnetClientOptions.MoveWhenProviderLeaves"/>).
/// Thread-safe; dispose to disconnect.
/// </summary>
/// <example>
/// <code>
/// await using MixnetClient client = await MixnetClient.ConnectAsync(new MixnetClientOptions
/// {
///     Authorities = DirectoryAuthorities.Load("authorities.json"),
/// });
/// await client.SendAsync(MixnetAddress.Parse(peer), "hello"u8.ToArray());
/// await foreach (ReceivedMessage message in client.Messages.ReadAllAsync()) { … }
/// </code>
/// </example>
public sealed class MixnetClient : IAsyncDisposable
{
    private readonly DirectoryConsensusSource? _source;
    private readonly MixnetClientOptions _options;
    private readonly ConsensusFollower? _follower;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleWriter = true });
    private Task _follow = Task.CompletedTask;

    // Moves to another provider, one after the other (each waits for the one before); set on the follower's task only.
    private Task _move = Task.CompletedTask;
    private NetworkView _network;
    private Connection _connection;
    private int _disposed;

    private MixnetClient(MixnodeClient client, DirectoryConsensusSource? source, NetworkTopology topology, MixnetClientOptions options)
    {
        _source = source;
        _options = options;
        _network = new NetworkView(topology);
        _connection = new Connection(client);
        if (source is not null && options.FollowEpochs)
        {
            _follower = new ConsensusFollower(source, topology, options.TimeProvider);
            _follower.Switched += OnSwitched;
        }
    }

    /// <summary>
    /// The client switched to a newer network document at the start of its epoch. Raised on a background task; a
    /// handler must not block (packets keep being built meanwhile, with the new document).
    /// </summary>
    public event EventHandler<NetworkChangedEventArgs>? NetworkChanged;

    /// <summary>
    /// The client moved to another provider: the document in force no longer lists its own (see
    /// <see cref="MixnetClientOptions.MoveWhenProviderLeaves"/>). Its <see cref="Address"/> is new; tell your
    /// correspondents. Raised on a background task once the new link is up; a handler must not block.
    /// </summary>
    public event EventHandler<ProviderChangedEventArgs>? ProviderChanged;

    /// <summary>
    /// Our address: our provider and our mailbox id (the static public key). Give it to whoever should write to us. It
    /// changes when the client moves to another provider (<see cref="ProviderChanged"/>).
    /// </summary>
    public MixnetAddress Address => Current.Address;

    /// <summary>The network document in use now.</summary>
    public NetworkView Network => Volatile.Read(ref _network);

    /// <summary>The epoch now, by the document's epoch period: packets are built with this epoch's mix keys.</summary>
    public long CurrentEpoch => Current.Inner.Packets.Clock.Current;

    /// <summary>Switches to a newer document made since the client connected.</summary>
    public int EpochChanges => _follower?.EpochChanges ?? 0;

    /// <summary>Bytes one message can hold; shorter ones are padded with zeros.</summary>
    public int MaxMessageLength => Current.Inner.Packets.MaxMessageLength;

    /// <summary>Bytes one echo request can carry (a message less the SURB it carries for the reply).</summary>
    public int MaxEchoPayloadLength => Current.Inner.Packets.MaxEchoPayloadLength;

    /// <summary>
    /// False once the link to the provider has ended (nothing is sent or received any more), until the client moves to
    /// another provider (<see cref="ProviderChanged"/>).
    /// </summary>
    public bool IsConnected => Current.Inner.Link.IsOpen;

    /// <summary>
    /// What arrives in our mailbox: messages for us and replies to our echo requests (cover loops are taken out).
    /// Completes when the client is disposed, or when the link ends and the client cannot move to another provider
    /// (<see cref="MixnetClientOptions.MoveWhenProviderLeaves"/> or <see cref="MixnetClientOptions.FollowEpochs"/> off,
    /// or a <see cref="MixnetClientOptions.TopologyPath"/> document); otherwise it stays open across a move.
    /// </summary>
    public ChannelReader<ReceivedMessage> Messages => _messages.Reader;

    /// <summary>
    /// Fetches a verified network document, connects to a provider and starts following epochs. Throws
    /// <see cref="ClientException"/> when no usable document is found within <see cref="MixnetClientOptions.DocumentTimeout"/>,
    /// the provider is unknown or unreachable, or it does not hold the link key the document lists;
    /// <see cref="ArgumentException"/> for contradictory options.
    /// </summary>
    /// <param name="options">Where the network is and how to behave on it.</param>
    /// <param name="cancellationToken">Cancels connecting (not the client once connected: dispose it).</param>
    public static async Task<MixnetClient> ConnectAsync(MixnetClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        DirectoryConsensusSource? source = null;
        MixnodeClient? inner = null;
        try
        {
            NetworkTopology topology;
            if (options.Authorities is { } authorities)
            {
                source = new DirectoryConsensusSource(authorities.Set, options.AuthorityRequestTimeout, options.HttpHandler);
                topology = await source.FetchFirstAsync(options.TimeProvider, options.DocumentTimeout, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                topology = TopologyLoader.Load(options.TopologyPath!, DecodeAuthorityKey(options.TopologyAuthorityKey!), out _);
            }

            NodeDescriptor? provider = null;
            if (options.ProviderName is { } name)
            {
                provider = topology.Providers.FirstOrDefault(p => p.Name == name)
                    ?? throw new ClientException($"the network document lists no provider named '{name}'");
            }

            var link = new ClientLinkOptions { ConnectTimeout = options.ConnectTimeout, PollInterval = options.PollInterval };
            inner = await MixnodeClient.ConnectAsync(topology, provider, link, options.TimeProvider, cancellationToken: cancellationToken).ConfigureAwait(false);
            StartCoverTraffic(inner, options, topology);
            var client = new MixnetClient(inner, source, topology, options);
            client.Start();
            return client;
        }
        catch
        {
            if (inner is not null)
            {
                await inner.DisposeAsync().ConfigureAwait(false);
            }

            source?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> to <paramref name="recipient"/>'s mailbox. With cover traffic the message waits
    /// for the next payload slot (a full queue is a <see cref="ClientException"/>). Throws
    /// <see cref="ClientException"/> when the recipient's provider is not in the current document or the link is gone.
    /// </summary>
    /// <param name="recipient">The mailbox to deliver to.</param>
    /// <param name="message">At most <see cref="MaxMessageLength"/> bytes.</param>
    /// <param name="cancellationToken">Cancels waiting for the link to take the packet.</param>
    public async ValueTask SendAsync(MixnetAddress recipient, ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (recipient.RecipientId.Length != MixnetAddress.RecipientIdLength)
        {
            throw new ArgumentException("the address has no recipient id", nameof(recipient));
        }

        MixnodeClient inner = Current.Inner;
        NodeDescriptor provider = inner.Packets.Topology.Providers.FirstOrDefault(p => p.Name == recipient.ProviderName)
            ?? throw new ClientException($"provider '{recipient.ProviderName}' is not in the current network document (epoch {Network.Epoch})");
        if (!await inner.SendAsync(provider, Bytes32.From(recipient.RecipientId.Span), message, cancellationToken).ConfigureAwait(false))
        {
            throw new ClientException($"the link to provider '{inner.Provider.Name}' is closed: {inner.Link.CloseReason}");
        }
    }

    /// <summary>
    /// Sends <paramref name="payload"/> round the network to our provider's echo service, which returns it through a
    /// single-use reply block (SURB); the reply arrives in <see cref="Messages"/> as an
    /// <see cref="ReceivedMessageKind.EchoReply"/> whose <see cref="ReceivedMessage.ReplyTo"/> is the id returned here.
    /// </summary>
    /// <param name="payload">At most <see cref="MaxEchoPayloadLength"/> bytes.</param>
    /// <param name="cancellationToken">Cancels waiting for the link to take the packet.</param>
    public async ValueTask<Guid> SendEchoAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        Bytes16 id = await Current.Inner.SendEchoAsync(payload, cancellationToken).ConfigureAwait(false);
        return new Guid(id.AsReadOnlySpan());
    }

    /// <summary>Stops following epochs and the cover traffic, says goodbye to the provider, forgets the keys.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _follow.ConfigureAwait(false);
        await _move.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Connection last = Current;
        await last.Inner.DisposeAsync().ConfigureAwait(false);
        await last.Pump.ConfigureAwait(false);
        _messages.Writer.TryComplete();
        _source?.Dispose();
        _stop.Dispose();
    }

    private Connection Current => Volatile.Read(ref _connection);

    // A link that ends may be followed by a move (the provider left): then Messages stays open for the next link.
    private bool CanMove => _follower is not null && _options.MoveWhenProviderLeaves;

    private static void StartCoverTraffic(MixnodeClient inner, MixnetClientOptions options, NetworkTopology topology)
    {
        if (!options.CoverTraffic)
        {
            return;
        }

        var cover = new CoverTrafficOptions
        {
            PayloadRatePerSecond = options.PayloadRatePerSecond ?? topology.Mixing.ClientPayloadRatePerSecond,
            LoopRatePerSecond = options.LoopRatePerSecond ?? topology.Mixing.ClientLoopRatePerSecond,
        };
        if (cover.Validate() is { } coverError)
        {
            throw new ClientException(coverError);
        }

        inner.StartCoverTraffic(cover);
    }

    private static bool Lists(NetworkTopology topology, NodeDescriptor provider) =>
        topology.TryGetNode(provider.Id, out NodeDescriptor? listed) && listed.Role == NodeRole.Provider;

    private static Bytes32 DecodeAuthorityKey(string base64)
    {
        Span<byte> key = stackalloc byte[Bytes32.Size + 1];
        return Convert.TryFromBase64String(base64, key, out int written) && written == Bytes32.Size
            ? Bytes32.From(key[..written])
            : throw new ClientException("TopologyAuthorityKey must be a 32-byte Ed25519 public key in base64");
    }

    private void Start()
    {
        _connection.Pump = PumpAsync(_connection);
        if (_follower is not null)
        {
            _follow = _follower.RunAsync(_stop.Token);
        }
    }

    /// <summary>Turns the mailbox's deliveries into <see cref="ReceivedMessage"/>s, opening echo replies with their SURB keys.</summary>
    private async Task PumpAsync(Connection connection)
    {
        MixnodeClient inner = connection.Inner;
        try
        {
            await foreach (ClientDelivery delivery in inner.Received.ReadAllAsync().ConfigureAwait(false))
            {
                if (delivery.Kind == ClientDeliveryKind.Message)
                {
                    _messages.Writer.TryWrite(new ReceivedMessage(ReceivedMessageKind.Message, delivery.Payload, null));
                }
                else if (inner.TryOpenReply(delivery) is { } reply)
                {
                    _messages.Writer.TryWrite(new ReceivedMessage(ReceivedMessageKind.EchoReply, reply, new Guid(delivery.SurbId.AsReadOnlySpan())));
                }
            }
        }
        finally
        {
            // The link of a connection already replaced by a move ends quietly; so does one a move may still replace.
            if (!CanMove && ReferenceEquals(Current, connection))
            {
                _messages.Writer.TryComplete();
            }
        }
    }

    private void OnSwitched(NetworkTopology topology)
    {
        long previous = Network.Epoch;
        try
        {
            Current.Inner.Packets.Use(topology);
        }
        catch (ClientException)
        {
            // Another geometry: this link cannot carry its packets; the old document serves while its window lasts.
            return;
        }

        var view = new NetworkView(topology);
        Volatile.Write(ref _network, view);
        NetworkChanged?.Invoke(this, new NetworkChangedEventArgs(view, previous));
        if (CanMove && !Lists(topology, Current.Inner.Provider))
        {
            // Not awaited here: connecting may take up to the connect timeout per provider tried, and the follower
            // must keep to the epoch boundaries meanwhile.
            Task before = _move;
            _move = MoveAsync(before, _stop.Token);
        }
    }

    /// <summary>
    /// Connects to another provider of the document in force (uniformly drawn with the CSPRNG among those that take
    /// clients; the next one drawn if it cannot be reached) with a fresh key, makes it current and raises
    /// <see cref="ProviderChanged"/>, then closes the old link. When none can be reached the client stays where it is;
    /// the next document tries again.
    /// </summary>
    private async Task MoveAsync(Task before, CancellationToken stop)
    {
        await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Connection old = Current;
        NetworkTopology topology = _follower!.Current;
        if (stop.IsCancellationRequested || Lists(topology, old.Inner.Provider))
        {
            return;
        }

        NodeDescriptor[] candidates = [.. topology.Providers.Where(p => p.Id != old.Inner.Provider.Id && p.Addresses.Length > ClientLinkProtocol.ClientAddressIndex)];
        RandomNumberGenerator.Shuffle(candidates.AsSpan());
        var link = new ClientLinkOptions { ConnectTimeout = _options.ConnectTimeout, PollInterval = _options.PollInterval };
        foreach (NodeDescriptor candidate in candidates)
        {
            MixnodeClient inner;
            try
            {
                inner = await MixnodeClient.ConnectAsync(topology, candidate, link, _options.TimeProvider, cancellationToken: stop).ConfigureAwait(false);
            }
            catch (ClientException)
            {
                continue;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                StartCoverTraffic(inner, _options, topology);
            }
            catch (ClientException)
            {
                // The rates were accepted at connect; a newer document's may not be: send without cover rather than not at all.
            }

            var next = new Connection(inner);
            Volatile.Write(ref _connection, next);
            next.Pump = PumpAsync(next);
            ProviderChanged?.Invoke(this, new ProviderChangedEventArgs(next.Address, old.Address, Network));
            await old.Inner.DisposeAsync().ConfigureAwait(false);
            await old.Pump.ConfigureAwait(false);
            return;
        }
    }

    /// <summary>The provider client in use, with the address it gives us and the task moving its deliveries to <see cref="Messages"/>.</summary>
    private sealed class Connection(MixnodeClient inner)
    {
        public MixnodeClient Inner { get; } = inner;

        public MixnetAddress Address { get; } = new(inner.Provider.Name, inner.Id.AsReadOnlySpan());

        public Task Pump { get; set; } = Task.CompletedTask;
    }
}
