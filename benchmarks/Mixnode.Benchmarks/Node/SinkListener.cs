using System.Net;
using System.Net.Sockets;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Benchmarks.Node;

/// <summary>
/// The next hop of every packet: a bare responder that completes the Noise handshake with whoever connects
/// (the benchmark's own loopback port, nothing to check) and counts SendPacket commands. It decrypts each
/// frame (that is the link) but never unwraps, so it costs a small fraction of what the node under test does.
/// </summary>
internal sealed class SinkListener : IAsyncDisposable, ILinkCommandHandler
{
    private readonly Socket _socket;
    private readonly X25519PrivateKey _linkKey;
    private readonly LinkSessionSettings _settings;
    private readonly List<(LinkSession Session, Task Run)> _sessions = [];
    private readonly Task _accept;
    private long _packets;

    public SinkListener(IPEndPoint endPoint, X25519PrivateKey linkKey, LinkSessionSettings settings)
    {
        _linkKey = linkKey;
        _settings = settings;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.Bind(endPoint);
        _socket.Listen(16);
        _accept = AcceptLoopAsync();
    }

    /// <summary>Called once per packet that arrives (the feeder's credit).</summary>
    public Action? PacketArrived { get; set; }

    public long Packets => Volatile.Read(ref _packets);

    public bool Handle(LinkSession session, in WireCommand command)
    {
        if (command.Id != WireCommandId.SendPacket)
        {
            return false;
        }

        Interlocked.Increment(ref _packets);
        PacketArrived?.Invoke();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _accept.ConfigureAwait(false);
        (LinkSession Session, Task Run)[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        foreach ((LinkSession session, _) in sessions)
        {
            session.Close(Mixnode.Links.LinkCloseReason.Closed);
        }

        await Task.WhenAll(sessions.Select(s => s.Run)).ConfigureAwait(false);
        _linkKey.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var session = new LinkSession(new SocketPipeConnection(client, 1 << 20), _settings, TimeProvider.System, initiator: false);
            lock (_sessions)
            {
                _sessions.Add((session, RunAsync(session)));
            }
        }
    }

    private async Task RunAsync(LinkSession session)
    {
        await using var owned = session;
        session.Start();
        if (await session.HandshakeAsync(_linkKey, _ => true).ConfigureAwait(false))
        {
            await session.RunReceiveLoopAsync(this).ConfigureAwait(false);
        }
    }
}
