using System.Collections.Concurrent;
using System.Net.Sockets;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Stands in for a topology node: accepts links on its address with its link key and records every packet
/// it is sent, without unwrapping (so no replay filter of its own hides what the sender did).
/// </summary>
internal sealed class RecordingPeer : IAsyncDisposable, ILinkCommandHandler
{
    private readonly Socket _listener;
    private readonly X25519PrivateKey _linkKey;
    private readonly LinkSessionSettings _settings;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Task _accept;

    private readonly bool _neverRead;

    private RecordingPeer(LocalNetwork network, string name, bool neverRead)
        : this(network, Path.Combine(network.KeysDirectory(name), NodeKeyStore.LinkKeyFile), network.EndPoint(name), neverRead)
    {
    }

    private RecordingPeer(LocalNetwork network, string linkKeyPath, System.Net.IPEndPoint endPoint, bool neverRead)
    {
        _neverRead = neverRead;
        _linkKey = KeyFile.ReadX25519(linkKeyPath);
        _settings = new LinkSessionSettings(WireFraming.ForMixLink(network.Geometry), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval);
        _listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (neverRead)
        {
            // Small kernel buffers (inherited by accepted sockets): the sender's back-pressure starts after a few KB, not MB.
            _listener.ReceiveBufferSize = 4096;
        }

        _listener.Bind(endPoint);
        _listener.Listen(16);
        _accept = AcceptAsync();
    }

    public ConcurrentQueue<byte[]> Packets { get; } = new();

    public static RecordingPeer Start(LocalNetwork network, string name) => new(network, name, neverRead: false);

    /// <summary>A peer with the link key in <paramref name="linkKeyPath"/> on <paramref name="endPoint"/>: a node that changed its key or address.</summary>
    public static RecordingPeer StartAt(LocalNetwork network, string linkKeyPath, System.Net.IPEndPoint endPoint) => new(network, linkKeyPath, endPoint, neverRead: false);

    /// <summary>A peer that completes the handshake and then never reads: its TCP window fills and stays full.</summary>
    public static RecordingPeer StartNeverReading(LocalNetwork network, string name) => new(network, name, neverRead: true);

    public int Handshakes => Volatile.Read(ref _handshakes);

    private int _handshakes;

    public bool Handle(LinkSession session, in WireCommand command)
    {
        Packets.Enqueue(command.Payload.ToArray());
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accept;
        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions);
        _linkKey.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_sessions)
            {
                _sessions.Add(RunAsync(socket));
            }
        }
    }

    private async Task RunAsync(Socket socket)
    {
        await using var session = new LinkSession(new SocketPipeConnection(socket, 1 << 20), _settings, TimeProvider.System, initiator: false);
        session.Start();
        using CancellationTokenRegistration stop = _stop.Token.Register(() => session.Close(Mixnode.Links.LinkCloseReason.Closed));
        if (await session.HandshakeAsync(_linkKey, _ => true))
        {
            Interlocked.Increment(ref _handshakes);
            if (_neverRead)
            {
                await Task.Delay(Timeout.Infinite, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            await session.RunReceiveLoopAsync(this);
        }
    }
}
