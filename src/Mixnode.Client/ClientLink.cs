using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Mixnode.Pki;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Client;

/// <summary>
/// A client's link to its provider (<see cref="ClientLinkProtocol"/>): connects to the provider's client address,
/// runs the Noise XX handshake with the client's own static key through the same <see cref="LinkSession"/> nodes
/// use (the provider's key must be the descriptor's link key), then sends packets and keeps RetrieveMessage
/// requests in flight, handing what the mailbox holds to <see cref="Received"/> (or to a
/// <see cref="ClientDeliveryHandler"/>). Each answer is replaced by the next request right on the receive loop, so
/// a busy mailbox costs no thread hop per message; only after MessageEmpty does the poll loop wait and ask again.
/// Every request's sequence is the number of answers read so far on this link, which acknowledges them: the provider
/// deletes a message only then, and gives what was not acknowledged to the next link (docs/client.md).
/// </summary>
internal sealed class ClientLink : IAsyncDisposable, ILinkCommandHandler, IPacketSender
{
    /// <summary>Bytes buffered per direction before a writer waits: a few packets, so a slow provider slows us.</summary>
    private const int PipeThreshold = 1 << 20;

    private readonly LinkSession _session;
    private readonly WireFraming _framing;
    private readonly ClientLinkOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _credits;
    private readonly Channel<ClientDelivery> _received = Channel.CreateUnbounded<ClientDelivery>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ClientDeliveryHandler? _onDelivery;
    private readonly Func<Span<byte>, bool> _encodeRetrieve;
    private readonly CancellationTokenSource _stop = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Task _pollLoop = Task.CompletedTask;
    private int _outstanding;
    private int _sawEmpty;
    private uint _answersRead;
    private int _disposed;

    private ClientLink(NodeDescriptor provider, LinkSession session, WireFraming framing, ClientLinkOptions options, TimeProvider time, ClientDeliveryHandler? onDelivery)
    {
        Provider = provider;
        _session = session;
        _framing = framing;
        _options = options;
        _time = time;
        _onDelivery = onDelivery;
        _credits = new SemaphoreSlim(options.MaxOutstandingRetrieves, options.MaxOutstandingRetrieves);

        // One delegate for every request. Its sequence acknowledges every answer read so far: those were handed on
        // (Deliver runs before the count goes up), so the provider may delete them.
        _encodeRetrieve = frame => WireCodec.TryEncode(WireCommand.RetrieveMessage(Volatile.Read(ref _answersRead)), frame, _framing) == WireEncodeResult.Ok;
    }

    public NodeDescriptor Provider { get; }

    /// <summary>
    /// Messages and SURB replies from our mailbox, in the order the provider sent them; completes when the link ends.
    /// Stays empty when the link was connected with a <see cref="ClientDeliveryHandler"/>.
    /// </summary>
    public ChannelReader<ClientDelivery> Received => _received.Reader;

    /// <summary>Why the link ended (a closed set of reasons), or null while it runs.</summary>
    public string? CloseReason => _session.CloseReason is { } reason ? reason.ToTag() : null;

    public bool IsOpen => _session.CloseReason is null;

    /// <summary>Completes when the link has ended.</summary>
    public Task Completion => _receiveLoop;

    /// <summary>
    /// Connects to <paramref name="provider"/>'s client address and authenticates it. Throws <see cref="ClientException"/>
    /// for a provider without a client address, an unreachable one (connect timeout), a failed handshake or a provider
    /// key that is not the topology's. With <paramref name="onDelivery"/>, what the mailbox holds goes to it instead of
    /// <see cref="Received"/>, from the first message on.
    /// </summary>
    public static async Task<ClientLink> ConnectAsync(
        NodeDescriptor provider,
        SphinxGeometry geometry,
        X25519PrivateKey clientKey,
        ClientLinkOptions? options = null,
        TimeProvider? time = null,
        ClientDeliveryHandler? onDelivery = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(clientKey);
        options ??= new ClientLinkOptions();
        time ??= TimeProvider.System;
        if (provider.Role != NodeRole.Provider)
        {
            throw new ClientException($"node '{provider.Name}' is a mix, not a provider: clients connect to providers");
        }

        if (provider.Addresses.Length <= ClientLinkProtocol.ClientAddressIndex)
        {
            throw new ClientException($"provider '{provider.Name}' lists no client address (a provider's second address is where clients connect)");
        }

        string address = provider.Addresses[ClientLinkProtocol.ClientAddressIndex];
        Socket socket = await ConnectSocketAsync(provider, address, options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        WireFraming framing = ClientLinkProtocol.Framing(geometry);
        var settings = new LinkSessionSettings(framing, options.HandshakeTimeout, options.IdleTimeout, options.NoOpInterval, LinkProtocol.DefaultRekeyInterval)
        {
            Prologue = ClientLinkProtocol.Prologue(framing),
        };
        var session = new LinkSession(new SocketPipeConnection(socket, PipeThreshold), settings, time, initiator: true);
        session.Start();
        byte[] expected = provider.LinkKey.AsReadOnlySpan().ToArray();
        if (!await session.HandshakeAsync(clientKey, key => key.Span.SequenceEqual(expected)).ConfigureAwait(false))
        {
            LinkCloseReason? reason = session.CloseReason;
            await session.DisposeAsync().ConfigureAwait(false);
            throw new ClientException(reason switch
            {
                LinkCloseReason.UnknownPeer =>
                    $"provider key mismatch: the node at the client address of '{provider.Name}' does not hold the link key the topology lists for it",
                LinkCloseReason.HandshakeTimeout =>
                    string.Create(CultureInfo.InvariantCulture, $"provider '{provider.Name}' did not complete the handshake within {options.HandshakeTimeout.TotalSeconds} s"),
                LinkCloseReason.HandshakeFailed =>
                    $"the handshake with provider '{provider.Name}' failed: it speaks another protocol version or geometry (is {address} its client port?)",
                _ => $"provider '{provider.Name}' closed the connection during the handshake (is {address} its client port?)",
            });
        }

        var link = new ClientLink(provider, session, framing, options, time, onDelivery);
        link.Start();

        // Only now: had the connect or handshake completed inline, the caller would go on running on the socket thread.
        if (options.InlineSocketCompletions)
        {
            InlineCompletions.TryEnable(socket);
        }

        // The handshake's last step ran inside the link's receive loop (inline pipe schedulers), and so would the
        // caller's code after this await: for as long as that ran, the link read nothing (loadgen once built packets
        // for 86 s right after connecting, and the link died of its idle timeout, its provider's NoOps unread).
        await Task.Yield();
        return link;
    }

    /// <summary>Sends one Sphinx packet (exactly PacketLength bytes) for the provider to route; false when the link is gone.</summary>
    public ValueTask<bool> SendPacketAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default)
    {
        CheckLength(packet);

        // A provider that rate-limits us stops reading: the send then waits, which is the point; closing the link ends it.
        cancellationToken.ThrowIfCancellationRequested();
        return _session.SendPacketAsync(packet);
    }

    /// <summary>
    /// Writes one packet without sending it yet: nothing reaches the provider until <see cref="FlushAsync"/>. For a
    /// sender with several packets due at once, which then pays one flush (one send call) for all of them.
    /// False when the link is gone.
    /// </summary>
    public ValueTask<bool> WritePacketAsync(ReadOnlyMemory<byte> packet)
    {
        CheckLength(packet);
        return _session.WritePacketAsync(packet);
    }

    /// <summary>Sends what <see cref="WritePacketAsync"/> wrote (waits while the provider does not read); false when the link is gone.</summary>
    public ValueTask<bool> FlushAsync() => _session.FlushPacketsAsync();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (IsOpen)
        {
            // A polite goodbye, bounded: a provider that stopped reading must not hold us here. The last request only
            // acknowledges what we read since the previous one (whatever it is answered with goes back to the mailbox).
            try
            {
                Task goodbye = AcknowledgeThenDisconnectAsync();
                await goodbye.WaitAsync(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Closing below aborts the pending write.
            }
        }

        _session.Close(LinkCloseReason.Closed);
        await Task.WhenAll(_receiveLoop, _pollLoop).ConfigureAwait(false);
        await _session.DisposeAsync().ConfigureAwait(false);
        _credits.Dispose();
        _stop.Dispose();
    }

    private async Task AcknowledgeThenDisconnectAsync()
    {
        if (Volatile.Read(ref _answersRead) != 0)
        {
            _ = await _session.SendAsync(_encodeRetrieve).ConfigureAwait(false);
        }

        await _session.SendDisconnectAsync().ConfigureAwait(false);
    }

    bool ILinkCommandHandler.Handle(LinkSession session, in WireCommand command)
    {
        if (command.Id != WireCommandId.Message)
        {
            return false;
        }

        // Only this loop takes requests off _outstanding, so "ours" cannot change under us; the poll loop only adds.
        bool ours = Volatile.Read(ref _outstanding) > 0;
        switch (command.MessageKind)
        {
            case WireMessageKind.Message:
                Deliver(ClientDeliveryKind.Message, command.Payload, default, command.QueueSizeHint);
                Interlocked.Increment(ref _answersRead);
                break;
            case WireMessageKind.Ack:
                Deliver(ClientDeliveryKind.SurbReply, command.Payload, Bytes16.From(command.SurbId), command.QueueSizeHint);
                Interlocked.Increment(ref _answersRead);
                break;
            default:
                Interlocked.Increment(ref _answersRead);
                if (ours)
                {
                    // Nothing to fetch: the credit goes to the poll loop, which waits the poll interval before asking again.
                    Volatile.Write(ref _sawEmpty, 1);
                    Interlocked.Decrement(ref _outstanding);
                    _credits.Release();
                }

                return true;
        }

        // Only answers to our own requests are replaced, so an eager provider cannot inflate the pipeline.
        if (ours && !_stop.IsCancellationRequested)
        {
            RetrieveNext();
        }

        return true;
    }

    private void CheckLength(ReadOnlyMemory<byte> packet)
    {
        if (packet.Length != _framing.PacketLength)
        {
            throw new ArgumentException($"a packet must be {_framing.PacketLength} bytes, got {packet.Length}", nameof(packet));
        }
    }

    private static async Task<Socket> ConnectSocketAsync(NodeDescriptor provider, string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!NodeDescriptor.TrySplitAddress(address, out string host, out int port))
        {
            throw new ClientException($"provider '{provider.Name}' has a client address that is not host:port");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(host, port, connectTimeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ClientException(string.Create(CultureInfo.InvariantCulture, $"provider '{provider.Name}' is unreachable: no connection to {address} within {timeout.TotalSeconds} s"), e);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ClientException($"provider '{provider.Name}' is unreachable at {address}: {e.Message}", e);
        }
    }

    private void Start()
    {
        _receiveLoop = ReceiveLoopAsync();
        if (_options.Poll)
        {
            _pollLoop = PollLoopAsync();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            await _session.RunReceiveLoopAsync(this).ConfigureAwait(false);
        }
        finally
        {
            _received.Writer.TryComplete();
            try
            {
                await _stop.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private void Deliver(ClientDeliveryKind kind, ReadOnlySpan<byte> payload, Bytes16 surbId, byte queueSizeHint)
    {
        if (_onDelivery is { } onDelivery)
        {
            onDelivery(kind, payload, surbId, queueSizeHint);
        }
        else
        {
            _received.Writer.TryWrite(new ClientDelivery(kind, payload.ToArray(), surbId, queueSizeHint));
        }
    }

    /// <summary>
    /// Asks for the next message in place of the one just answered, keeping _outstanding as it is. Not awaited: the
    /// send nearly always completes at once (one frame, one flush); when the send gate is busy it finishes later.
    /// </summary>
    private void RetrieveNext()
    {
        ValueTask<bool> send = _session.SendAsync(_encodeRetrieve);
        if (send.IsCompletedSuccessfully)
        {
            // False means the link is gone; the receive loop ends on its own.
            _ = send.Result;
        }
        else
        {
            _ = ObserveAsync(send);
        }
    }

    private static async Task ObserveAsync(ValueTask<bool> send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The link was disposed while the request waited for the send gate.
        }
    }

    private async Task PollLoopAsync()
    {
        try
        {
            while (IsOpen)
            {
                await _credits.WaitAsync(_stop.Token).ConfigureAwait(false);
                if (Interlocked.Exchange(ref _sawEmpty, 0) == 1)
                {
                    await Task.Delay(_options.PollInterval, _time, _stop.Token).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _outstanding);
                if (!await _session.SendAsync(_encodeRetrieve).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
