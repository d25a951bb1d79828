using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Mixnode.Noise;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Links;

/// <summary>
/// One authenticated link over a <see cref="SocketPipeConnection"/>: the Noise XX handshake (the peer's
/// static key must pass the caller's check, else the link closes before this side reveals anything more),
/// then fixed-size encrypted frames each holding one wire command. A periodic timer enforces the handshake
/// and idle timeouts and sends a NoOp when nothing else went out for a while. Both directions rekey after
/// <see cref="LinkSessionSettings.RekeyInterval"/> messages. The first reason a session ends for is kept.
/// </summary>
internal sealed class LinkSession : IAsyncDisposable
{
    private readonly SocketPipeConnection _connection;
    private readonly LinkSessionSettings _settings;
    private readonly TimeProvider _time;
    private readonly bool _initiator;
    private readonly int _frameLength;
    private readonly byte[] _sendPlain;
    private readonly byte[] _receivePlain;
    private readonly byte[] _receiveCipher;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _closed = new();
    private readonly ITimer _timer;
    private readonly long _started;
    private NoiseTransport? _transport;
    private long _lastReceived;
    private long _lastSent;
    private long _sent;
    private long _received;
    private int _closeReason = -1;
    private int _noOpPending;
    private long _flushWaitingSince;
    private volatile bool _established;

    public LinkSession(SocketPipeConnection connection, LinkSessionSettings settings, TimeProvider time, bool initiator)
    {
        _connection = connection;
        _settings = settings;
        _time = time;
        _initiator = initiator;
        _frameLength = LinkProtocol.TransportFrameLength(settings.Framing);
        _sendPlain = new byte[settings.Framing.CommandSize];
        _receivePlain = new byte[settings.Framing.CommandSize];
        _receiveCipher = new byte[_frameLength];
        _started = time.GetTimestamp();
        _lastReceived = _started;
        _lastSent = _started;
        TimeSpan tick = Min(settings.HandshakeTimeout, Min(settings.NoOpInterval, settings.IdleTimeout));
        tick = (settings.SendTimeout > TimeSpan.Zero ? Min(tick, settings.SendTimeout) : tick) / 4;
        tick = tick < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : tick;
        _timer = time.CreateTimer(static state => ((LinkSession)state!).OnTick(), this, tick, tick);
    }

    public bool IsInitiator => _initiator;

    /// <summary>The peer's static key once the handshake succeeded (a client's key is its recipient id).</summary>
    public Bytes32 RemoteStaticKey { get; private set; }

    /// <summary>What a command handler keeps per session (a client's rate limiter, for example).</summary>
    public object? State { get; set; }

    /// <summary>Starts the connection's socket loops; call once before the handshake.</summary>
    public void Start() => _connection.Start();

    public bool IsEstablished => _established;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the last frame arrived (NoOps included); the idle timeout counts from it.</summary>
    public long LastReceivedTimestamp => Volatile.Read(ref _lastReceived);

    /// <summary>Why the session ended, or null while it runs.</summary>
    public LinkCloseReason? CloseReason
    {
        get
        {
            int reason = Volatile.Read(ref _closeReason);
            return reason < 0 ? null : (LinkCloseReason)reason;
        }
    }

    /// <summary>
    /// Runs the XX handshake. <paramref name="acceptPeer"/> sees the peer's static key as soon as it is known
    /// (the initiator: before sending its own identity; the responder: at the end) and decides. May complete inside
    /// the connection's receive loop (the pipes' schedulers are inline): a caller that then runs long must move off
    /// it first, as <c>ClientLink.ConnectAsync</c> does.
    /// </summary>
    public async Task<bool> HandshakeAsync(X25519PrivateKey linkKey, Func<ReadOnlyMemory<byte>, bool> acceptPeer)
    {
        using var handshake = new HandshakeState(LinkProtocol.Noise, _initiator, _settings.Prologue, linkKey, default);
        byte[] message = new byte[LinkProtocol.MaxHandshakeMessage];
        try
        {
            for (int step = 0; !handshake.IsHandshakeComplete; step++)
            {
                if (handshake.IsMyTurn)
                {
                    if (handshake.WriteMessage(default, message.AsSpan(LinkProtocol.HandshakeLengthPrefix), out int written) != NoiseResult.Ok)
                    {
                        return Fail(LinkCloseReason.HandshakeFailed);
                    }

                    BinaryPrimitives.WriteUInt16BigEndian(message, (ushort)written);
                    FlushResult flush = await _connection.Output.WriteAsync(message.AsMemory(0, LinkProtocol.HandshakeLengthPrefix + written)).ConfigureAwait(false);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        return Fail(LinkCloseReason.Closed);
                    }
                }
                else
                {
                    int length = await ReadHandshakeMessageAsync(message).ConfigureAwait(false);
                    if (length < 0)
                    {
                        return false;
                    }

                    if (handshake.ReadMessage(message.AsSpan(0, length), [], out _) != NoiseResult.Ok)
                    {
                        return Fail(LinkCloseReason.HandshakeFailed);
                    }

                    // XX: the responder's static key arrives in message 2, the initiator's in message 3.
                    if (!handshake.RemoteStaticPublicKey.IsEmpty && (step == 1 || handshake.IsHandshakeComplete)
                        && !acceptPeer(handshake.RemoteStaticPublicKey.ToArray()))
                    {
                        return Fail(LinkCloseReason.UnknownPeer);
                    }
                }
            }

            RemoteStaticKey = Bytes32.From(handshake.RemoteStaticPublicKey);
            _transport = handshake.Split();
            long now = _time.GetTimestamp();
            Volatile.Write(ref _lastReceived, now);
            Volatile.Write(ref _lastSent, now);
            _established = true;
            return CloseReason is null;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            return Fail(LinkCloseReason.Error);
        }
    }

    /// <summary>Reads frames until the link ends; returns why it ended.</summary>
    public async Task<LinkCloseReason> RunReceiveLoopAsync(ILinkCommandHandler handler)
    {
        PipeReader input = _connection.Input;
        try
        {
            while (CloseReason is null)
            {
                ReadResult result = await input.ReadAsync().ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                bool keepGoing = true;
                try
                {
                    while (keepGoing && buffer.Length >= _frameLength)
                    {
                        keepGoing = HandleFrame(buffer.Slice(0, _frameLength), handler);
                        buffer = buffer.Slice(_frameLength);
                    }
                }
                finally
                {
                    // Whatever the frames handed on must not wait for the next read.
                    handler.ReadHandled(this);
                }

                // A partial frame is examined but not consumed: the next read waits for more bytes, never spins.
                input.AdvanceTo(buffer.Start, buffer.End);
                if (!keepGoing || result.IsCompleted || result.IsCanceled)
                {
                    break;
                }

                // Rate limiting by back-pressure: not reading fills the peer's TCP window and slows it down.
                TimeSpan pause = handler.ReadPause(this);
                if (pause > TimeSpan.Zero && !await PauseAsync(pause).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            Close(LinkCloseReason.Error);
        }

        Close(_connection.Faulted ? LinkCloseReason.Error : LinkCloseReason.Closed);
        handler.Closed(this);
        return CloseReason ?? LinkCloseReason.Closed;
    }

    // The packet paths below complete synchronously almost always; when one must wait (a flush held back by a
    // slow peer, the gate held by a NoOp) the pooling builder reuses its state machine instead of allocating.

    /// <summary>Sends one Sphinx packet; false when the link is gone (the caller keeps the buffer).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendPacketAsync(ReadOnlyMemory<byte> packet)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return WriteFrame(WireCommandId.SendPacket, packet.Span) && await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>
    /// Writes and flushes one packet on the calling thread if no other send is in progress, without waiting for
    /// anything; false (nothing written) when the link is busy or closed, and the caller queues the packet instead.
    /// True means the frame is in the link's pipe, which holds it from then on (as after <see cref="WritePacketAsync"/>);
    /// a flush that cannot complete at once (a slow peer) finishes in the background, holding the send gate.
    /// </summary>
    public bool TrySendPacketNow(ReadOnlySpan<byte> packet)
    {
        if (!_established || CloseReason is not null)
        {
            return false;
        }

        try
        {
            if (!_sendGate.Wait(0))
            {
                return false;
            }
        }
        catch (ObjectDisposedException)
        {
            // The link was disposed between the caller's look and ours.
            return false;
        }

        bool releaseNow = true;
        try
        {
            // Looked at again under the gate: the caller runs on another thread than the link's owner, which may
            // have closed it meanwhile (and then disposes the pipe, which refuses writes with an exception).
            if (CloseReason is not null || !WriteFrame(WireCommandId.SendPacket, packet))
            {
                return false;
            }

            ValueTask<bool> flush = FlushAsync();
            if (!flush.IsCompleted)
            {
                releaseNow = false;
                _ = ReleaseGateAfterAsync(flush);
            }
            else
            {
                _ = flush.Result;
            }

            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Closed between the look and the write: the caller queues the packet for the next link.
            return false;
        }
        finally
        {
            if (releaseNow)
            {
                _sendGate.Release();
            }
        }
    }

    /// <summary>
    /// Writes one Sphinx packet's frame without flushing it; false when the link is gone. For a sender with a
    /// queue (<see cref="Forwarding.OutboundPeer"/>): write what is queued, then <see cref="FlushPacketsAsync"/>
    /// once, so a burst costs one pipe flush, one wake-up of the socket loop and few send calls instead of
    /// one of each per packet. Nothing reaches the socket until the flush, so flush at least every few frames.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> WritePacketAsync(ReadOnlyMemory<byte> packet)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return WriteFrame(WireCommandId.SendPacket, packet.Span);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Flushes the frames <see cref="WritePacketAsync"/> wrote (waits while the peer is slow); false when the link is gone.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> FlushPacketsAsync()
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return CloseReason is null && await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Sends a command built by the caller into the frame's plaintext (provider–client links).</summary>
    public async ValueTask<bool> SendAsync(Func<Span<byte>, bool> encode)
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return WriteEncoded(encode) && await FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
        }
    }

    public async ValueTask SendDisconnectAsync()
    {
        await _sendGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (WriteFrame(WireCommandId.Disconnect, default))
            {
                await FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _sendGate.Release();
        }
    }

    /// <summary>Ends the session for <paramref name="reason"/> (the first reason given is kept).</summary>
    public void Close(LinkCloseReason reason)
    {
        Interlocked.CompareExchange(ref _closeReason, (int)reason, -1);
        _connection.Abort();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Waits out a rate-limit pause; false when the session closed meanwhile (shutdown must not wait for it).</summary>
    private async Task<bool> PauseAsync(TimeSpan pause)
    {
        try
        {
            await Task.Delay(pause, _time, _closed.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task ReleaseGateAfterAsync(ValueTask<bool> flush)
    {
        try
        {
            // A failed flush means a broken link: the receive loop and the peer's send loop see it and close.
            _ = await flush.ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Closed while the flush waited: the same broken link.
        }
        finally
        {
            _sendGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close(LinkCloseReason.Closed);
        await _timer.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        await _sendGate.WaitAsync().ConfigureAwait(false);
        _transport?.Dispose();
        _sendGate.Dispose();
        _closed.Dispose();
    }

    private bool Fail(LinkCloseReason reason)
    {
        Close(reason);
        return false;
    }

    private bool HandleFrame(ReadOnlySequence<byte> frame, ILinkCommandHandler handler)
    {
        ReadOnlySpan<byte> ciphertext;
        if (frame.IsSingleSegment)
        {
            ciphertext = frame.FirstSpan;
        }
        else
        {
            frame.CopyTo(_receiveCipher);
            ciphertext = _receiveCipher;
        }

        if (_transport!.Decrypt(ciphertext, _receivePlain) != NoiseResult.Ok)
        {
            return Fail(LinkCloseReason.DecryptFailed);
        }

        Volatile.Write(ref _lastReceived, _time.GetTimestamp());
        if (++_received % _settings.RekeyInterval == 0)
        {
            _transport.RekeyReceive();
        }

        if (WireCodec.TryDecode(_receivePlain, _settings.Framing, out WireCommand command) != WireDecodeResult.Ok)
        {
            return Fail(LinkCloseReason.MalformedCommand);
        }

        return command.Id switch
        {
            WireCommandId.NoOp => true,
            WireCommandId.Disconnect => Fail(LinkCloseReason.PeerDisconnected),
            _ => handler.Handle(this, command) || Fail(LinkCloseReason.MalformedCommand),
        };
    }

    // Called with the send gate held.
    private bool WriteFrame(WireCommandId id, ReadOnlySpan<byte> packet)
    {
        WireCommand command = id switch
        {
            WireCommandId.SendPacket => WireCommand.SendPacket(packet),
            WireCommandId.Disconnect => WireCommand.Disconnect(),
            _ => WireCommand.NoOp(),
        };
        if (WireCodec.TryEncode(command, _sendPlain, _settings.Framing) != WireEncodeResult.Ok)
        {
            return false;
        }

        return EncryptAndWrite();
    }

    private bool WriteEncoded(Func<Span<byte>, bool> encode) => encode(_sendPlain) && EncryptAndWrite();

    private bool EncryptAndWrite()
    {
        if (_transport is null || CloseReason is not null)
        {
            return false;
        }

        PipeWriter output = _connection.Output;
        Span<byte> destination = output.GetSpan(_frameLength);
        if (_transport.Encrypt(_sendPlain, destination) != NoiseResult.Ok)
        {
            // Only nonce exhaustion gets here: after 2^64 messages the session must end.
            return Fail(LinkCloseReason.Error);
        }

        output.Advance(_frameLength);
        Volatile.Write(ref _lastSent, _time.GetTimestamp());
        if (++_sent % _settings.RekeyInterval == 0)
        {
            _transport.RekeySend();
        }

        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FlushAsync()
    {
        ValueTask<FlushResult> pending = _connection.Output.FlushAsync();
        if (pending.IsCompleted)
        {
            FlushResult done = pending.Result;
            return !done.IsCompleted && !done.IsCanceled;
        }

        // Held back by a peer that does not read: the timer closes the link when this lasts SendTimeout.
        Volatile.Write(ref _flushWaitingSince, Math.Max(1, _time.GetTimestamp()));
        try
        {
            FlushResult flush = await pending.ConfigureAwait(false);
            return !flush.IsCompleted && !flush.IsCanceled;
        }
        finally
        {
            Volatile.Write(ref _flushWaitingSince, 0);
        }
    }

    /// <summary>Reads one length-prefixed handshake message; -1 when the link ended or the length is impossible.</summary>
    private async ValueTask<int> ReadHandshakeMessageAsync(byte[] destination)
    {
        PipeReader input = _connection.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync().ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            int length = TryTakeHandshakeMessage(ref buffer, destination);
            if (length > 0)
            {
                input.AdvanceTo(buffer.Start);
                return length;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (length == 0 && (result.IsCompleted || result.IsCanceled))
            {
                Fail(CloseReason ?? LinkCloseReason.Closed);
                return -1;
            }

            if (length < 0)
            {
                Fail(LinkCloseReason.HandshakeFailed);
                return -1;
            }
        }
    }

    /// <summary>Positive: a message was copied and <paramref name="buffer"/> now starts after it; 0: need more bytes; -1: bad length.</summary>
    private static int TryTakeHandshakeMessage(ref ReadOnlySequence<byte> buffer, byte[] destination)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadBigEndian(out short prefix))
        {
            return 0;
        }

        int length = (ushort)prefix;
        if (length == 0 || length > destination.Length)
        {
            return -1;
        }

        if (reader.Remaining < length)
        {
            return 0;
        }

        reader.UnreadSequence.Slice(0, length).CopyTo(destination);
        reader.Advance(length);
        buffer = buffer.Slice(reader.Position);
        return length;
    }

    private void OnTick()
    {
        if (CloseReason is not null)
        {
            return;
        }

        if (!_established)
        {
            if (_time.GetElapsedTime(_started) >= _settings.HandshakeTimeout)
            {
                Close(LinkCloseReason.HandshakeTimeout);
            }

            return;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _lastReceived)) >= _settings.IdleTimeout)
        {
            Close(LinkCloseReason.IdleTimeout);
            return;
        }

        // A peer that stops reading (while it may well keep sending) holds a flush, and the send gate with it, forever.
        long flushWaitingSince = Volatile.Read(ref _flushWaitingSince);
        if (flushWaitingSince != 0 && _settings.SendTimeout > TimeSpan.Zero && _time.GetElapsedTime(flushWaitingSince) >= _settings.SendTimeout)
        {
            Close(LinkCloseReason.SendTimeout);
            return;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= _settings.NoOpInterval
            && Interlocked.Exchange(ref _noOpPending, 1) == 0)
        {
            _ = SendNoOpAsync();
        }
    }

    private async Task SendNoOpAsync()
    {
        try
        {
            await _sendGate.WaitAsync().ConfigureAwait(false);
            try
            {
                bool written = WriteFrame(WireCommandId.NoOp, default);

                // Written means due again one interval from now, whatever the flush takes.
                Volatile.Write(ref _noOpPending, 0);
                if (written)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _sendGate.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // The session ended while the NoOp waited.
        }
        finally
        {
            Volatile.Write(ref _noOpPending, 0);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
