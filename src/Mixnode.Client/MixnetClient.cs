using System.Threading.Channels;
using Mixnode.Client.Consensus;
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
/// routes of the current one (<see cref="NetworkChanged"/>). Thread-safe; dispose to disconnect.
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
    private readonly MixnodeClient _client;
    private readonly DirectoryConsensusSource? _source;
    private readonly ConsensusFollower? _follower;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleWriter = true });
    private Task _pump = Task.CompletedTask;
    private Task _follow = Task.CompletedTask;
    private NetworkView _network;
    private int _disposed;

    private MixnetClient(MixnodeClient client, DirectoryConsensusSource? source, NetworkTopology topology, bool followEpochs, TimeProvider time)
    {
        _client = client;
        _source = source;
        _network = new NetworkView(topology);
        Address = new MixnetAddress(client.Provider.Name, client.Id.AsReadOnlySpan());
        if (source is not null && followEpochs)
        {
            _follower = new ConsensusFollower(source, topology, time);
            _follower.Switched += OnSwitched;
        }
    }

    /// <summary>
    /// The client switched to a newer network document at the start of its epoch. Raised on a background task; a
    /// handler must not block (packets keep being built meanwhile, with the new document).
    /// </summary>
    public event EventHandler<NetworkChangedEventArgs>? NetworkChanged;

    /// <summary>Our address: our provider and our mailbox id (the static public key). Give it to whoever should write to us.</summary>
    public MixnetAddress Address { get; }

    /// <summary>The network document in use now.</summary>
    public NetworkView Network => Volatile.Read(ref _network);

    /// <summary>The epoch now, by the document's epoch period: packets are built with this epoch's mix keys.</summary>
    public long CurrentEpoch => _client.Packets.Clock.Current;

    /// <summary>Switches to a newer document made since the client connected.</summary>
    public int EpochChanges => _follower?.EpochChanges ?? 0;

    /// <summary>Bytes one message can hold; shorter ones are padded with zeros.</summary>
    public int MaxMessageLength => _client.Packets.MaxMessageLength;

    /// <summary>Bytes one echo request can carry (a message less the SURB it carries for the reply).</summary>
    public int MaxEchoPayloadLength => _client.Packets.MaxEchoPayloadLength;

    /// <summary>False once the link to the provider has ended (nothing is sent or received any more).</summary>
    public bool IsConnected => _client.Link.IsOpen;

    /// <summary>
    /// What arrives in our mailbox: messages for us and replies to our echo requests (cover loops are taken out).
    /// Completes when the link ends.
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
            if (options.CoverTraffic)
            {
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

            var client = new MixnetClient(inner, source, topology, options.FollowEpochs, options.TimeProvider);
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

        NodeDescriptor provider = _client.Packets.Topology.Providers.FirstOrDefault(p => p.Name == recipient.ProviderName)
            ?? throw new ClientException($"provider '{recipient.ProviderName}' is not in the current network document (epoch {Network.Epoch})");
        if (!await _client.SendAsync(provider, Bytes32.From(recipient.RecipientId.Span), message, cancellationToken).ConfigureAwait(false))
        {
            throw new ClientException($"the link to provider '{_client.Provider.Name}' is closed: {_client.Link.CloseReason}");
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
        Bytes16 id = await _client.SendEchoAsync(payload, cancellationToken).ConfigureAwait(false);
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
        await _client.DisposeAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        _source?.Dispose();
        _stop.Dispose();
    }

    private static Bytes32 DecodeAuthorityKey(string base64)
    {
        Span<byte> key = stackalloc byte[Bytes32.Size + 1];
        return Convert.TryFromBase64String(base64, key, out int written) && written == Bytes32.Size
            ? Bytes32.From(key[..written])
            : throw new ClientException("TopologyAuthorityKey must be a 32-byte Ed25519 public key in base64");
    }

    private void Start()
    {
        _pump = PumpAsync();
        if (_follower is not null)
        {
            _follow = _follower.RunAsync(_stop.Token);
        }
    }

    /// <summary>Turns the mailbox's deliveries into <see cref="ReceivedMessage"/>s, opening echo replies with their SURB keys.</summary>
    private async Task PumpAsync()
    {
        try
        {
            await foreach (ClientDelivery delivery in _client.Received.ReadAllAsync().ConfigureAwait(false))
            {
                if (delivery.Kind == ClientDeliveryKind.Message)
                {
                    _messages.Writer.TryWrite(new ReceivedMessage(ReceivedMessageKind.Message, delivery.Payload, null));
                }
                else if (_client.TryOpenReply(delivery) is { } reply)
                {
                    _messages.Writer.TryWrite(new ReceivedMessage(ReceivedMessageKind.EchoReply, reply, new Guid(delivery.SurbId.AsReadOnlySpan())));
                }
            }
        }
        finally
        {
            _messages.Writer.TryComplete();
        }
    }

    private void OnSwitched(NetworkTopology topology)
    {
        long previous = Network.Epoch;
        try
        {
            _client.Packets.Use(topology);
        }
        catch (ClientException)
        {
            // Another geometry: this link cannot carry its packets; the old document serves while its window lasts.
            return;
        }

        var view = new NetworkView(topology);
        Volatile.Write(ref _network, view);
        NetworkChanged?.Invoke(this, new NetworkChangedEventArgs(view, previous));
    }
}
