using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Mixnode.Links;
using Mixnode.Node.Telemetry;
using Mixnode.Pki;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Ingress;

/// <summary>
/// Accepts links from other nodes (or, with the client handler, from clients). Admission limits apply before any
/// work: total, per source address and per source prefix (<see cref="SourcePrefix"/>), with the last
/// <see cref="LinkOptions.ReservedMemberConnections"/> slots kept for topology members' addresses, then a handshake
/// rate per source prefix (each handshake costs the responder three X25519 operations before it knows who is calling;
/// members' addresses are exempt); then the Noise handshake, in which the peer must present a link key the current topology lists; then
/// the session's receive loop until the link ends. Each ending is counted by reason; none is logged with
/// an address.
/// </summary>
internal sealed class LinkListener : IAsyncDisposable
{
    private readonly IPEndPoint _endPoint;
    private readonly X25519PrivateKey _linkKey;
    private readonly Func<ReadOnlyMemory<byte>, bool> _acceptPeer;
    private readonly LinkSessionSettings _settings;
    private readonly LinkOptions _options;
    private readonly ILinkCommandHandler _handler;
    private readonly NodeMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConnectionLimiter _limiter;
    private readonly PrefixRateLimiter _handshakes;
    private readonly MemberAddresses? _members;
    private readonly ConcurrentDictionary<LinkSession, Task> _sessions = new();
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task _acceptLoop = Task.CompletedTask;

    /// <param name="acceptPeer">Decides on the peer's static key: node links accept topology link keys; client links accept any key.</param>
    /// <param name="members">The topology members' addresses (node links); null for the client listener, which has no members and reserves nothing.</param>
    public LinkListener(IPEndPoint endPoint, X25519PrivateKey linkKey, Func<ReadOnlyMemory<byte>, bool> acceptPeer, LinkSessionSettings settings, LinkOptions options, ILinkCommandHandler handler, NodeMetrics metrics, ILogger logger, TimeProvider time, MemberAddresses? members = null)
    {
        _endPoint = endPoint;
        _linkKey = linkKey;
        _acceptPeer = acceptPeer;
        _settings = settings;
        _options = options;
        _handler = handler;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _members = members;
        _limiter = new ConnectionLimiter(options.MaxConnections, options.MaxConnectionsPerAddress, options.MaxConnectionsPerPrefix, members is null ? 0 : ReservedFor(options));
        _handshakes = new PrefixRateLimiter(options.HandshakesPerPrefixPerSecond, options.HandshakeBurstPerPrefix, options.MaxTrackedPrefixes, time);
    }

    /// <summary>Debug lines name the peer's address (Mixnode:SafeLogging=false only; off by default).</summary>
    public bool LogPeerAddresses { get; init; }

    /// <summary>The bound address (with the real port when 0 was configured).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_socket?.LocalEndPoint ?? _endPoint);

    /// <summary>Connections currently admitted (handshaking or established).</summary>
    public int ConnectionCount => _limiter.Total;

    public void Start()
    {
        var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(_endPoint);
            socket.Listen(512);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot listen on {_endPoint}: {e.Message} (is another process using the port? change the listen address setting)", e);
        }

        _socket = socket;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>
    /// Closes the established sessions whose peer static key <paramref name="drop"/> selects (peers that left the
    /// network), counted with <paramref name="reason"/>. Returns how many were closed.
    /// </summary>
    public int CloseWhere(Func<Bytes32, bool> drop, LinkCloseReason reason)
    {
        ArgumentNullException.ThrowIfNull(drop);
        int closed = 0;
        foreach (LinkSession session in _sessions.Keys)
        {
            if (session.IsEstablished && session.CloseReason is null && drop(session.RemoteStaticKey))
            {
                session.Close(reason);
                closed++;
            }
        }

        return closed;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        foreach (LinkSession session in _sessions.Keys)
        {
            session.Close(LinkCloseReason.Closed);
        }

        await Task.WhenAll(_sessions.Values).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors or a reset before accept: keep serving; back off a little so a storm cannot spin.
                NodeLog.AcceptFailed(_logger, e);
                await Task.Delay(TimeSpan.FromMilliseconds(10), _time).ConfigureAwait(false);
                continue;
            }

            IPAddress address = (client.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            LinkCloseReason? refusal = Admit(address);
            if (refusal is { } refused)
            {
                _metrics.LinkClosed(refused);
                client.Dispose();
                continue;
            }

            var connection = new SocketPipeConnection(client, _options.PauseThresholdBytes);
            var session = new LinkSession(connection, _settings, _time, initiator: false);
            if (_handler is ISourcePrefixAware aware && !aware.TryAttach(session, SourcePrefix.Of(address)))
            {
                _metrics.LinkClosed(LinkCloseReason.LimitTotal);
                _limiter.Release(address);
                await session.DisposeAsync().ConfigureAwait(false);
                continue;
            }

            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Task run = RunSessionAsync(session, address, started.Task);
            _sessions[session] = run;
            started.SetResult();
        }
    }

    /// <summary>The member reserve, at most half the slots: strangers (new nodes, and clients on a provider) always keep the rest.</summary>
    internal static int ReservedFor(LinkOptions options) => Math.Min(options.ReservedMemberConnections, options.MaxConnections / 2);

    /// <summary>
    /// The accept-time checks, cheapest and least shared first; null admits (and takes a slot that the session's end
    /// gives back). The handshake token is taken last, so a connection refused for a slot does not also use one up.
    /// </summary>
    private LinkCloseReason? Admit(IPAddress address)
    {
        bool member = _members?.Contains(address) == true;
        switch (_limiter.TryAdmit(address, member))
        {
            case AdmissionResult.TotalLimit:
                return LinkCloseReason.LimitTotal;
            case AdmissionResult.PerAddressLimit:
                return LinkCloseReason.LimitPerAddress;
            case AdmissionResult.PerPrefixLimit:
                return LinkCloseReason.LimitPerPrefix;
        }

        if (!member)
        {
            PrefixTake take = _handshakes.TryTake(SourcePrefix.Of(address));
            if (take != PrefixTake.Taken)
            {
                _limiter.Release(address);
                return take == PrefixTake.Empty ? LinkCloseReason.HandshakeRate : LinkCloseReason.LimitTotal;
            }
        }

        return null;
    }

    private async Task RunSessionAsync(LinkSession session, IPAddress address, Task registered)
    {
        await registered.ConfigureAwait(false);
        LinkCloseReason reason = LinkCloseReason.Closed;
        bool established = false;
        try
        {
            session.Start();
            if (await session.HandshakeAsync(_linkKey, _acceptPeer).ConfigureAwait(false))
            {
                established = true;
                _metrics.LinkOpened(inbound: true);
                reason = await session.RunReceiveLoopAsync(_handler).ConfigureAwait(false);
            }
            else
            {
                reason = session.CloseReason ?? LinkCloseReason.HandshakeFailed;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reason = LinkCloseReason.Error;
            NodeLog.SessionFailed(_logger, e);
        }
        finally
        {
            if (established)
            {
                _metrics.LinkEnded(inbound: true);
            }

            _metrics.LinkClosed(reason);
            if (LogPeerAddresses)
            {
                NodeLog.InboundClosedUnsafe(_logger, address.ToString(), reason.ToTag());
            }
            else
            {
                NodeLog.InboundClosed(_logger, reason.ToTag());
            }

            await session.DisposeAsync().ConfigureAwait(false);
            (_handler as ISourcePrefixAware)?.Detach(session);
            _limiter.Release(address);
            _sessions.TryRemove(session, out _);
        }
    }
}
