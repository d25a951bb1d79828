using System.Buffers.Binary;
using System.Globalization;
using System.Net.Sockets;
using System.Threading.Channels;
using Mixnode.Node.Keys;
using Mixnode.Node.Links;
using Mixnode.Node.Wire;
using Mixnode.Noise;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Client;

/// <summary>
/// A client's link to its provider (<see cref="ClientLinkProtocol"/>): connects to the provider's client address,
/// runs the Noise XX handshake with the client's own static key (the provider's must be the descriptor's link key),
/// then sends packets and keeps RetrieveMessage requests in flight, handing what the mailbox holds to
/// <see cref="Received"/>. The handshake and framing are written here rather than through <see cref="LinkSession"/>
/// because the client prologue differs from the node one; they follow the same rules byte for byte, including the
/// silent rekey of each direction every <see cref="LinkProtocol.DefaultRekeyInterval"/> messages.
/// </summary>
internal sealed class ClientLink : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly NoiseTransport _transport;
    private readonly WireFraming _framing;
    private readonly ClientLinkOptions _options;
    private readonly TimeProvider _time;
    private readonly byte[] _sendPlain;
    private readonly byte[] _sendCipher;
    private readonly byte[] _receivePlain;
    private readonly byte[] _receiveCipher;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly SemaphoreSlim _credits;
    private readonly Channel<ClientDelivery> _received = Channel.CreateUnbounded<ClientDelivery>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private Task _receiveLoop = Task.CompletedTask;
    private Task _pollLoop = Task.CompletedTask;
    private Task _noOpLoop = Task.CompletedTask;
    private long _sent;
    private long _receivedFrames;
    private long _lastSent;
    private int _outstanding;
    private int _sawEmpty;
    private uint _sequence;
    private string? _closeReason;
    private int _disposed;

    private ClientLink(NodeDescriptor provider, Socket socket, NoiseTransport transport, WireFraming framing, ClientLinkOptions options, TimeProvider time)
    {
        Provider = provider;
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _transport = transport;
        _framing = framing;
        _options = options;
        _time = time;
        int frame = ClientLinkProtocol.TransportFrameLength(framing);
        _sendPlain = new byte[framing.CommandSize];
        _receivePlain = new byte[framing.CommandSize];
        _sendCipher = new byte[frame];
        _receiveCipher = new byte[frame];
        _credits = new SemaphoreSlim(options.MaxOutstandingRetrieves, options.MaxOutstandingRetrieves);
        _lastSent = time.GetTimestamp();
    }

    public NodeDescriptor Provider { get; }

    /// <summary>Messages and SURB replies from our mailbox, in the order the provider sent them; completes when the link ends.</summary>
    public ChannelReader<ClientDelivery> Received => _received.Reader;

    /// <summary>Why the link ended, or null while it runs.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    public bool IsOpen => CloseReason is null;

    /// <summary>Completes when the link has ended.</summary>
    public Task Completion => _receiveLoop;

    /// <summary>
    /// Connects to <paramref name="provider"/>'s client address and authenticates it. Throws <see cref="ClientException"/>
    /// for a provider without a client address, an unreachable one (connect timeout), a failed handshake or a provider
    /// key that is not the topology's.
    /// </summary>
    public static async Task<ClientLink> ConnectAsync(
        NodeDescriptor provider,
        SphinxGeometry geometry,
        X25519PrivateKey clientKey,
        ClientLinkOptions? options = null,
        TimeProvider? time = null,
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
        NoiseTransport transport;
        try
        {
            using var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            handshakeTimeout.CancelAfter(options.HandshakeTimeout);
            using var stream = new NetworkStream(socket, ownsSocket: false);
            transport = await HandshakeAsync(stream, provider, framing, clientKey, handshakeTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ClientException(string.Create(CultureInfo.InvariantCulture, $"provider '{provider.Name}' did not complete the handshake within {options.HandshakeTimeout.TotalSeconds} s"), e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            socket.Dispose();
            throw new ClientException($"provider '{provider.Name}' closed the connection during the handshake (is {address} its client port, and does it use this topology's geometry?)", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var link = new ClientLink(provider, socket, transport, framing, options, time);
        link.Start();
        return link;
    }

    /// <summary>Sends one Sphinx packet (exactly PacketLength bytes) for the provider to route; false when the link is gone.</summary>
    public async ValueTask<bool> SendPacketAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken = default)
    {
        if (packet.Length != _framing.PacketLength)
        {
            throw new ArgumentException($"a packet must be {_framing.PacketLength} bytes, got {packet.Length}", nameof(packet));
        }

        return await SendAsync(WireCommandId.SendPacket, 0, packet, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (IsOpen)
        {
            // A polite goodbye, bounded: a provider that stopped reading must not hold us here.
            using var bye = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await SendAsync(WireCommandId.Disconnect, 0, default, bye.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        Close("closed by the client");
        await Task.WhenAll(_receiveLoop, _pollLoop, _noOpLoop).ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _sendGate.WaitAsync().ConfigureAwait(false);
        _transport.Dispose();
        _sendGate.Dispose();
        _credits.Dispose();
        _stop.Dispose();
    }

    private static async Task<Socket> ConnectSocketAsync(NodeDescriptor provider, string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int colon = address.LastIndexOf(':');
        string host = address[..colon].Trim('[', ']');
        int port = int.Parse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
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

    private static async Task<NoiseTransport> HandshakeAsync(NetworkStream stream, NodeDescriptor provider, WireFraming framing, X25519PrivateKey clientKey, CancellationToken cancellationToken)
    {
        using var handshake = new HandshakeState(LinkProtocol.Noise, initiator: true, ClientLinkProtocol.Prologue(framing), clientKey, default);
        byte[] message = new byte[LinkProtocol.HandshakeLengthPrefix + LinkProtocol.MaxHandshakeMessage];
        while (!handshake.IsHandshakeComplete)
        {
            if (handshake.IsMyTurn)
            {
                if (handshake.WriteMessage(default, message.AsSpan(LinkProtocol.HandshakeLengthPrefix), out int written) != NoiseResult.Ok)
                {
                    throw new ClientException($"the handshake with provider '{provider.Name}' failed");
                }

                BinaryPrimitives.WriteUInt16BigEndian(message, (ushort)written);
                await stream.WriteAsync(message.AsMemory(0, LinkProtocol.HandshakeLengthPrefix + written), cancellationToken).ConfigureAwait(false);
                continue;
            }

            await stream.ReadExactlyAsync(message.AsMemory(0, LinkProtocol.HandshakeLengthPrefix), cancellationToken).ConfigureAwait(false);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message);
            if (length == 0 || length > LinkProtocol.MaxHandshakeMessage)
            {
                throw new ClientException($"provider '{provider.Name}' sent a handshake message of impossible length {length}: is this its client address?");
            }

            await stream.ReadExactlyAsync(message.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            if (handshake.ReadMessage(message.AsSpan(0, length), [], out _) != NoiseResult.Ok)
            {
                throw new ClientException($"the handshake with provider '{provider.Name}' failed: it speaks another protocol version or geometry");
            }

            // XX: the responder's static key comes in message 2, before we reveal ours in message 3.
            if (!handshake.RemoteStaticPublicKey.SequenceEqual(provider.LinkKey.AsReadOnlySpan()))
            {
                throw new ClientException($"provider key mismatch: the node at the client address of '{provider.Name}' does not hold the link key the topology lists for it");
            }
        }

        return handshake.Split();
    }

    private void Start()
    {
        _receiveLoop = ReceiveLoopAsync();
        if (_options.Poll)
        {
            _pollLoop = PollLoopAsync();
        }

        _noOpLoop = NoOpLoopAsync();
    }

    private void Close(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }

        _received.Writer.TryComplete();
    }

    private async ValueTask<bool> SendAsync(WireCommandId id, uint sequence, ReadOnlyMemory<byte> packet, CancellationToken cancellationToken)
    {
        try
        {
            await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        try
        {
            if (!IsOpen && id != WireCommandId.Disconnect)
            {
                return false;
            }

            WireCommand command = id switch
            {
                WireCommandId.SendPacket => WireCommand.SendPacket(packet.Span),
                WireCommandId.RetrieveMessage => WireCommand.RetrieveMessage(sequence),
                WireCommandId.Disconnect => WireCommand.Disconnect(),
                _ => WireCommand.NoOp(),
            };
            if (WireCodec.TryEncode(command, _sendPlain, _framing) != WireEncodeResult.Ok
                || _transport.Encrypt(_sendPlain, _sendCipher) != NoiseResult.Ok)
            {
                Close("could not encode a command");
                return false;
            }

            if (++_sent % LinkProtocol.DefaultRekeyInterval == 0)
            {
                _transport.RekeySend();
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            await _stream.WriteAsync(_sendCipher, id == WireCommandId.Disconnect ? cancellationToken : linked.Token).ConfigureAwait(false);
            Volatile.Write(ref _lastSent, _time.GetTimestamp());
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close("the provider closed the connection");
            return false;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _sendGate.Release();
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(_receiveCipher, _stop.Token).ConfigureAwait(false);
                string? fault = HandleFrame();
                if (fault is not null)
                {
                    Close(fault);
                    return;
                }
            }
        }
        catch (EndOfStreamException)
        {
            Close("the provider closed the connection");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Close("the provider closed the connection");
        }
    }

    /// <summary>Decrypts and dispatches one frame; the reason to end the link, or null.</summary>
    private string? HandleFrame()
    {
        if (_transport.Decrypt(_receiveCipher, _receivePlain) != NoiseResult.Ok)
        {
            return "a frame from the provider failed to decrypt";
        }

        if (++_receivedFrames % LinkProtocol.DefaultRekeyInterval == 0)
        {
            _transport.RekeyReceive();
        }

        if (WireCodec.TryDecode(_receivePlain, _framing, out WireCommand command) != WireDecodeResult.Ok)
        {
            return "the provider sent a malformed command";
        }

        switch (command.Id)
        {
            case WireCommandId.NoOp:
                return null;
            case WireCommandId.Disconnect:
                return "the provider disconnected";
            case WireCommandId.Message:
                ReturnCredit();
                switch (command.MessageKind)
                {
                    case WireMessageKind.Message:
                        _received.Writer.TryWrite(new ClientDelivery(ClientDeliveryKind.Message, command.Payload.ToArray(), default, command.QueueSizeHint));
                        break;
                    case WireMessageKind.Ack:
                        _received.Writer.TryWrite(new ClientDelivery(ClientDeliveryKind.SurbReply, command.Payload.ToArray(), Bytes16.From(command.SurbId), command.QueueSizeHint));
                        break;
                    default:
                        Volatile.Write(ref _sawEmpty, 1);
                        break;
                }

                return null;
            default:
                return $"the provider sent an unexpected {command.Id} command";
        }
    }

    private void ReturnCredit()
    {
        // Only answers to our own requests give a credit back, so an eager provider cannot inflate the pipeline.
        int outstanding = Volatile.Read(ref _outstanding);
        while (outstanding > 0)
        {
            int seen = Interlocked.CompareExchange(ref _outstanding, outstanding - 1, outstanding);
            if (seen == outstanding)
            {
                _credits.Release();
                return;
            }

            outstanding = seen;
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
                if (!await SendAsync(WireCommandId.RetrieveMessage, _sequence++, default, _stop.Token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task NoOpLoopAsync()
    {
        try
        {
            using var timer = new PeriodicTimer(_options.NoOpInterval / 2, _time);
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (_time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= _options.NoOpInterval
                    && !await SendAsync(WireCommandId.NoOp, 0, default, _stop.Token).ConfigureAwait(false))
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
