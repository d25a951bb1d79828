using System.Net.Sockets;
using System.Numerics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Links;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;
using Mixnode.Links.Wire;

namespace Mixnode.Node.Forwarding;

/// <summary>
/// Everything this node sends to one next hop: a bounded queue and one outbound link, opened lazily when
/// the first packet arrives and re-opened with jittered exponential backoff when it fails. While the peer
/// is down, packets older than <see cref="LinkOptions.PeerDownDropAfter"/> are dropped and counted, so the
/// queue never holds more than its capacity nor anything for longer than a bounded time.
/// </summary>
internal sealed class OutboundPeer : IAsyncDisposable
{
    private readonly Bytes32 _id;
    private readonly Func<NetworkTopology> _topology;
    private readonly X25519PrivateKey _linkKey;
    private readonly LinkSessionSettings _settings;
    private readonly LinkOptions _options;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Channel<OutboundItem> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly NoCommandsHandler _handler = new();

    /// <summary>Frames written before a flush while the queue stays non-empty (~50 KB): bounds the unflushed pipe data.</summary>
    private const int FlushBatch = 16;
    private Task? _loop;
    private OutboundItem? _pending;
    private LinkSession? _session;
    private volatile bool _keepUp;

    // Set once when the pool takes the peer out (it left the topology or changed key/address): the reason its link ends with.
    private LinkCloseReason? _removal;

    // The descriptor of the link being opened or open: a topology that lists the peer under another link key or
    // address makes the pool replace this peer (see ListsOtherThanDialled).
    private NodeDescriptor? _dialled;

    public OutboundPeer(Bytes32 id, Func<NetworkTopology> topology, X25519PrivateKey linkKey, LinkSessionSettings settings, LinkOptions options, NodeMetrics metrics, ILogger logger, TimeProvider time)
    {
        _id = id;
        _topology = topology;
        _linkKey = linkKey;
        _settings = settings;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _queue = Channel.CreateBounded<OutboundItem>(new BoundedChannelOptions(options.OutboundQueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public int QueueLength => _queue.Reader.Count;

    /// <summary>A link to the peer is established (it may still break at any moment).</summary>
    public bool IsConnected => Volatile.Read(ref _session) is not null;

    /// <summary>
    /// Sends a packet or queues it; owns the buffer from now on. When nothing is queued and the link is up and idle,
    /// the packet is written and flushed on the calling thread (the mixer's release thread, usually) instead of waking
    /// the send loop, a thread wake-up per packet on the path every packet waits for. Measured on the testnet at
    /// 3,000/s with exact release: p50 of latency − chosen delays 0.77 instead of 1.0 ms, 85 instead of 90 µs of CPU
    /// per packet per node. (With the 1 ms release quantum, when packets leave in small groups, it was within noise.)
    /// </summary>
    public void Enqueue(byte[] buffer, int length)
    {
        if (_queue.Reader.Count == 0 && Volatile.Read(ref _session) is { } session && session.TrySendPacketNow(buffer.AsSpan(0, length)))
        {
            _metrics.PacketForwarded();
            PacketBuffers.Return(buffer);
            return;
        }

        if (!_queue.Writer.TryWrite(new OutboundItem(buffer, length, _time.GetTimestamp())))
        {
            _metrics.PacketDropped(DropReason.Overload);
            PacketBuffers.Return(buffer);
            return;
        }

        if (_loop is null)
        {
            lock (_queue)
            {
                _loop ??= Task.Run(RunAsync);
            }
        }
    }

    /// <summary>
    /// Opens the link now and keeps it up (reconnecting with backoff) whether or not packets wait: links to the next
    /// layer come up at start, so the first real packet does not announce itself by a handshake that no traffic
    /// preceded. Idempotent.
    /// </summary>
    public void KeepUp()
    {
        _keepUp = true;
        if (_loop is null)
        {
            lock (_queue)
            {
                _loop ??= Task.Run(RunAsync);
            }
        }
    }

    /// <summary>
    /// Graceful end (a node's drain): takes no more packets, writes and flushes what is queued, tells the peer
    /// (Disconnect) and closes, waiting at most <paramref name="timeout"/>; <see cref="DisposeAsync"/> then ends what is left.
    /// </summary>
    public async Task CompleteAsync(TimeSpan timeout)
    {
        _keepUp = false;
        _queue.Writer.TryComplete();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(timeout, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>
    /// Whether <paramref name="listed"/> (the peer in a new topology) names another link key or dial address than the
    /// link this peer opened or is opening: then that link reaches the old key or address and must be replaced.
    /// False when no link was dialled yet (the first connect reads the topology then).
    /// </summary>
    public bool ListsOtherThanDialled(NodeDescriptor listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        return Volatile.Read(ref _dialled) is { } dialled && !SameEndpoint(dialled, listed);
    }

    /// <summary>
    /// The pool took the peer out (it left the topology, or is listed under another link key or address): as
    /// <see cref="CompleteAsync"/> (what is queued still leaves, within <paramref name="drain"/>), the link's end
    /// counted as <paramref name="reason"/>, then disposed.
    /// </summary>
    public async Task RemoveAsync(TimeSpan drain, LinkCloseReason reason)
    {
        _removal = reason;
        await CompleteAsync(drain).ConfigureAwait(false);
        Volatile.Read(ref _session)?.Close(reason);
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        _session?.Close(LinkCloseReason.Closed);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        Drop(_pending, DropReason.PeerDown);
        while (_queue.Reader.TryRead(out OutboundItem item))
        {
            Drop(item, DropReason.PeerDown);
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        CancellationToken stop = _stop.Token;
        int failures = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (_pending is null && !_keepUp && !await _queue.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
                {
                    return;
                }

                LinkSession? session = await ConnectAsync(stop).ConfigureAwait(false);
                if (session is null)
                {
                    failures++;
                    TimeSpan delay = Backoff(failures);
                    if (BitOperations.IsPow2(failures))
                    {
                        // A link kept up to a peer that is down retries forever: log the 1st, 2nd, 4th, 8th… failure only.
                        NodeLog.OutboundRetry(_logger, PeerName(), failures, delay);
                    }

                    await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                    DropStale();
                    continue;
                }

                failures = 0;
                await RunSessionAsync(session, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task RunSessionAsync(LinkSession session, CancellationToken stop)
    {
        Volatile.Write(ref _session, session);
        _metrics.LinkOpened(inbound: false);
        NodeLog.OutboundOpened(_logger, PeerName());
        Task<LinkCloseReason> receive = ReceiveThenWakeAsync(session);

        // A send blocked on a peer that stopped reading must not hold up shutdown: stopping closes the link.
        using CancellationTokenRegistration closeOnStop = stop.Register(static state => ((LinkSession)state!).Close(LinkCloseReason.Closed), session);
        int unflushed = 0;
        while (true)
        {
            OutboundItem item;
            if (_pending is { } pending)
            {
                item = pending;
            }
            else if (!_queue.Reader.TryRead(out item))
            {
                // The queue is momentarily empty: push out what was written, then wait. The wait takes no
                // token (a cancellable wait allocates per call); the end of the link wakes it with a
                // sentinel item (ReceiveThenWakeAsync), the node's stop by completing the queue.
                if (unflushed > 0)
                {
                    unflushed = 0;
                    if (!await session.FlushPacketsAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                if (!await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            if (item.Buffer is null)
            {
                // A wake-up sentinel: maybe left over from an earlier link, so look at this one.
                if (session.CloseReason is not null || stop.IsCancellationRequested)
                {
                    break;
                }

                continue;
            }

            _pending = item;
            if (_time.GetElapsedTime(item.QueuedTimestamp) > _options.PeerDownDropAfter)
            {
                _pending = null;
                Drop(item, DropReason.PeerDown);
                continue;
            }

            if (!await session.WritePacketAsync(item.Buffer.AsMemory(0, item.Length)).ConfigureAwait(false))
            {
                // Not written (the link is gone): it stays pending for the next link.
                break;
            }

            // Written into the link's pipe, which from here on holds it (as it holds up to
            // PauseThresholdBytes of earlier packets): a link that breaks now loses it like those.
            _pending = null;
            _metrics.PacketForwarded();
            PacketBuffers.Return(item.Buffer);
            if (++unflushed >= FlushBatch)
            {
                unflushed = 0;
                if (!await session.FlushPacketsAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
        }

        if (stop.IsCancellationRequested || _queue.Reader.Completion.IsCompleted)
        {
            // The node is stopping: say so, so the peer closes at once instead of reconnecting or timing out.
            await session.SendDisconnectAsync().ConfigureAwait(false);
        }

        session.Close(_removal ?? LinkCloseReason.Closed);
        LinkCloseReason reason = await receive.ConfigureAwait(false);

        // The sentinel of this link is written by now; one at the head of the queue would only make the
        // reconnect loop open a link with nothing to send.
        while (_queue.Reader.TryPeek(out OutboundItem head) && head.Buffer is null)
        {
            _queue.Reader.TryRead(out _);
        }

        _metrics.LinkEnded(inbound: false);
        _metrics.LinkClosed(reason);
        NodeLog.OutboundClosed(_logger, PeerName(), reason.ToTag());
        Volatile.Write(ref _session, null);
        await session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The link's receive loop; when it ends, a sentinel item (null buffer) wakes the send loop.</summary>
    private async Task<LinkCloseReason> ReceiveThenWakeAsync(LinkSession session)
    {
        LinkCloseReason reason = await session.RunReceiveLoopAsync(_handler).ConfigureAwait(false);

        // When the queue is full the send loop is not waiting: its next write fails on the closed link.
        _queue.Writer.TryWrite(default);
        return reason;
    }

    private async Task<LinkSession?> ConnectAsync(CancellationToken stop)
    {
        if (!_topology().TryGetNode(_id, out var peer) || peer.Addresses.IsDefaultOrEmpty)
        {
            DropAll(DropReason.NoRoute);
            return null;
        }

        if (!NodeDescriptor.TrySplitAddress(peer.Addresses[0], out string host, out int port))
        {
            DropAll(DropReason.NoRoute);
            return null;
        }

        // A full fence: the pool reads _dialled after publishing a new topology, this reads the topology again after
        // the handshake, so one of the two sees the other's write (see the check below).
        Interlocked.Exchange(ref _dialled, peer);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(_settings.HandshakeTimeout);
            await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            stop.ThrowIfCancellationRequested();
            return null;
        }

        var connection = new SocketPipeConnection(socket, _options.PauseThresholdBytes);
        var session = new LinkSession(connection, _settings, _time, initiator: true);
        session.Start();
        Bytes32 expected = peer.LinkKey;
        using CancellationTokenRegistration closeOnStop = stop.Register(static state => ((LinkSession)state!).Close(LinkCloseReason.Closed), session);
        if (await session.HandshakeAsync(_linkKey, key => key.Span.SequenceEqual(expected.AsReadOnlySpan())).ConfigureAwait(false))
        {
            if (_topology().TryGetNode(_id, out var now) && !SameEndpoint(peer, now))
            {
                // The topology changed the peer's key or address while this link was being opened, too early for the
                // pool to see what was dialled: this link reaches the old one, so the next attempt dials the new one.
                session.Close(LinkCloseReason.PeerChanged);
                _metrics.LinkClosed(LinkCloseReason.PeerChanged);
                await session.DisposeAsync().ConfigureAwait(false);
                return null;
            }

            return session;
        }

        _metrics.LinkClosed(session.CloseReason ?? LinkCloseReason.HandshakeFailed);
        await session.DisposeAsync().ConfigureAwait(false);
        return null;
    }

    private TimeSpan Backoff(int failures)
    {
        double max = _options.ReconnectBackoffMax.TotalMilliseconds;
        double exponential = Math.Min(max, _options.ReconnectBackoffMin.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
        // Jitter in [½, 1]: peers that lost the same node do not reconnect in lockstep.
        double jittered = exponential * (0.5 + (Random.Shared.NextDouble() / 2));
        double bounded = Math.Min(jittered, _options.PeerDownDropAfter.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(bounded);
    }

    private void DropStale()
    {
        if (_pending is { } pending && _time.GetElapsedTime(pending.QueuedTimestamp) > _options.PeerDownDropAfter)
        {
            _pending = null;
            Drop(pending, DropReason.PeerDown);
        }

        while (_queue.Reader.TryPeek(out OutboundItem oldest) && _time.GetElapsedTime(oldest.QueuedTimestamp) > _options.PeerDownDropAfter)
        {
            if (_queue.Reader.TryRead(out OutboundItem item))
            {
                Drop(item, DropReason.PeerDown);
            }
        }
    }

    private void DropAll(DropReason reason)
    {
        Drop(_pending, reason);
        _pending = null;
        while (_queue.Reader.TryRead(out OutboundItem item))
        {
            Drop(item, reason);
        }
    }

    private void Drop(OutboundItem? item, DropReason reason)
    {
        // A null buffer is a wake-up sentinel, not a packet.
        if (item is { Buffer: not null } dropped)
        {
            _metrics.PacketDropped(reason);
            PacketBuffers.Return(dropped.Buffer);
        }
    }

    private static bool SameEndpoint(NodeDescriptor dialled, NodeDescriptor listed) =>
        dialled.LinkKey == listed.LinkKey &&
        !listed.Addresses.IsDefaultOrEmpty &&
        string.Equals(dialled.Addresses[0], listed.Addresses[0], StringComparison.Ordinal);

    private string PeerName() => _topology().TryGetNode(_id, out var peer) ? peer.Name : "(gone)";

    /// <summary>An outbound link only sends packets; the peer may send NoOps (ignored) and nothing else.</summary>
    private sealed class NoCommandsHandler : ILinkCommandHandler
    {
        public bool Handle(LinkSession session, in WireCommand command) => false;
    }
}
