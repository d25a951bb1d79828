using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Ingress;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Links;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Ingress;

/// <summary>
/// The inbound side on a real loopback listener: admission limits before any work, only topology members get a
/// link, and every ending is counted by reason and gives its slot back.
/// </summary>
public sealed class LinkListenerTests : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private static readonly SphinxGeometry s_geometry = SphinxGeometry.Default;
    private static readonly LinkSessionSettings s_settings = new(WireFraming.ForMixLink(s_geometry), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval);
    private readonly FakeTimeProvider _time = new();
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;
    private readonly MetricCollector<long> _closed;
    private readonly MetricCollector<long> _opened;
    private readonly X25519PrivateKey _listenerKey = X25519PrivateKey.Generate();
    private readonly X25519PrivateKey _memberKey = X25519PrivateKey.Generate();
    private readonly NetworkTopology _topology;
    private readonly RecordingCommandHandler _handler = new();
    private readonly List<Socket> _sockets = [];
    private LinkListener? _listener;

    public LinkListenerTests()
    {
        _metrics = TestMeterFactory.NewMetrics(out _meters);
        _closed = new MetricCollector<long>(_metrics.Meter, "mixnode.links.closed");
        _opened = new MetricCollector<long>(_metrics.Meter, "mixnode.links.opened");
        List<NodeDescriptor> descriptors = TestNetwork.Descriptors();
        descriptors[2] = TestNetwork.Node("mix-0-0", NodeRole.Mix, 0, 31000, linkKey: Bytes32.From(_memberKey.PublicKey));
        _topology = new NetworkTopology(TestNetwork.Document(descriptors: descriptors), TestNetwork.RandomKey());
    }

    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync().AsTask().WaitAsync(s_wait);
        }

        _sockets.ForEach(s => s.Dispose());
        _listenerKey.Dispose();
        _memberKey.Dispose();
        _closed.Dispose();
        _opened.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task A_topology_member_gets_a_link_whose_packets_reach_the_handler()
    {
        LinkListener listener = Start(new LinkOptions());
        await using LinkSession session = await ConnectAsync(listener, _memberKey);
        byte[] packet = RandomNumberGenerator.GetBytes(s_geometry.PacketLength);
        Assert.True(await session.SendPacketAsync(packet));

        Assert.Equal([packet], await _handler.TakeAsync(1));
        CollectedMeasurement<long> opened = Assert.Single(_opened.GetMeasurementSnapshot());
        Assert.Equal("inbound", opened.Tags["direction"]);
        Assert.Equal(1, listener.ConnectionCount);

        await session.SendDisconnectAsync();
        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 0, s_wait));
        Assert.Equal(["peer_disconnected"], ClosedReasons());
    }

    [Fact]
    public async Task A_key_the_topology_does_not_list_is_refused_as_unknown_peer()
    {
        LinkListener listener = Start(new LinkOptions());
        using X25519PrivateKey stranger = X25519PrivateKey.Generate();

        // In XX the initiator finishes first; the listener decides on the last message and hangs up.
        await using LinkSession session = await ConnectAsync(listener, stranger);
        Assert.Equal(LinkCloseReason.Closed, await session.RunReceiveLoopAsync(new RecordingCommandHandler()).WaitAsync(s_wait));

        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 0, s_wait));
        Assert.Equal(["unknown_peer"], ClosedReasons());
        Assert.Empty(_opened.GetMeasurementSnapshot());
        Assert.Equal(0, _handler.Count);
    }

    [Fact]
    public async Task Admission_limits_apply_per_address_and_in_total_before_any_handshake()
    {
        LinkListener listener = Start(new LinkOptions { MaxConnections = 3, MaxConnectionsPerAddress = 2 });
        IPAddress first = IPAddress.Loopback;
        IPAddress second = IPAddress.Parse("127.0.0.2");
        IPAddress third = IPAddress.Parse("127.0.0.3");

        await ConnectRawAsync(listener, first);
        await ConnectRawAsync(listener, first);
        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 2, s_wait));

        Socket refusedByAddress = await ConnectRawAsync(listener, first);
        Assert.True(await ClosedByPeerAsync(refusedByAddress));
        Assert.Equal(["limit_per_address"], ClosedReasons());

        await ConnectRawAsync(listener, second);
        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 3, s_wait));

        Socket refusedInTotal = await ConnectRawAsync(listener, third);
        Assert.True(await ClosedByPeerAsync(refusedInTotal));
        Assert.Equal(["limit_per_address", "limit_total"], ClosedReasons());
        Assert.Equal(3, listener.ConnectionCount);
    }

    [Fact]
    public async Task Silent_connections_are_cut_at_the_handshake_timeout_and_give_their_slots_back()
    {
        LinkListener listener = Start(new LinkOptions { MaxConnections = 2, MaxConnectionsPerAddress = 2 });
        Socket a = await ConnectRawAsync(listener, IPAddress.Loopback);
        Socket b = await ConnectRawAsync(listener, IPAddress.Loopback);
        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 2, s_wait));

        // A slot is taken just before its session (and its timer) exists: advance until every session has seen the timeout.
        Assert.True(await Eventually.TrueAsync(
            () =>
            {
                _time.Advance(s_settings.HandshakeTimeout);
                return listener.ConnectionCount == 0;
            },
            s_wait));
        Assert.True(await ClosedByPeerAsync(a));
        Assert.True(await ClosedByPeerAsync(b));
        Assert.Equal(["handshake_timeout", "handshake_timeout"], ClosedReasons());

        // The slots are free again: a member connects.
        await using LinkSession session = await ConnectAsync(listener, _memberKey);
        Assert.Equal(1, listener.ConnectionCount);
    }

    [Fact]
    public async Task New_connections_from_one_prefix_beyond_its_handshake_rate_are_refused_before_any_handshake()
    {
        LinkListener listener = Start(new LinkOptions { HandshakeBurstPerPrefix = 2, HandshakesPerPrefixPerSecond = 1 });

        // Three addresses of one /24 (none a member's): a fresh address is no fresh allowance.
        await ConnectRawAsync(listener, IPAddress.Parse("127.0.0.2"));
        await ConnectRawAsync(listener, IPAddress.Parse("127.0.0.3"));
        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 2, s_wait));
        Socket refused = await ConnectRawAsync(listener, IPAddress.Parse("127.0.0.4"));
        Assert.True(await ClosedByPeerAsync(refused));
        Assert.Equal(["handshake_rate"], ClosedReasons());
        Assert.Equal(2, listener.ConnectionCount);

        // A second later the prefix has a token again.
        _time.Advance(TimeSpan.FromSeconds(1));
        await ConnectRawAsync(listener, IPAddress.Parse("127.0.0.5"));
        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 3, s_wait));
    }

    [Fact]
    public async Task Strangers_filling_the_listener_leave_the_reserved_slots_to_topology_members()
    {
        // The member's address is the topology's (127.0.0.1); the strangers' are other addresses.
        LinkListener listener = Start(new LinkOptions { MaxConnections = 4, ReservedMemberConnections = 2 }, new MemberAddresses(_topology));
        await ConnectRawAsync(listener, IPAddress.Parse("127.0.0.2"));
        await ConnectRawAsync(listener, IPAddress.Parse("127.0.0.3"));
        Assert.True(await Eventually.TrueAsync(() => listener.ConnectionCount == 2, s_wait));
        Socket refused = await ConnectRawAsync(listener, IPAddress.Parse("127.0.0.4"));
        Assert.True(await ClosedByPeerAsync(refused));
        Assert.Equal(["limit_total"], ClosedReasons());

        await using LinkSession session = await ConnectAsync(listener, _memberKey);
        Assert.Equal(3, listener.ConnectionCount);
    }

    private LinkListener Start(LinkOptions options, MemberAddresses? members = null)
    {
        _listener = new LinkListener(new IPEndPoint(IPAddress.Loopback, 0), _listenerKey, key => _topology.TryGetNodeByLinkKey(key.Span, out _), s_settings, options, _handler, _metrics, NullLogger.Instance, _time, members);
        _listener.Start();
        return _listener;
    }

    private string[] ClosedReasons() =>
        [.. _closed.GetMeasurementSnapshot().Select(m => (string)m.Tags["reason"]!).Order(StringComparer.Ordinal)];

    /// <summary>An outbound session to the listener, handshaken, expecting the listener's key.</summary>
    private async Task<LinkSession> ConnectAsync(LinkListener listener, X25519PrivateKey key)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(listener.LocalEndPoint).WaitAsync(s_wait);
        var session = new LinkSession(new SocketPipeConnection(socket, 1 << 20), s_settings, _time, initiator: true);
        session.Start();
        byte[] expected = _listenerKey.PublicKey.ToArray();
        Assert.True(await session.HandshakeAsync(key, k => k.Span.SequenceEqual(expected)).WaitAsync(s_wait));
        return session;
    }

    /// <summary>A TCP connection from <paramref name="source"/> that never speaks.</summary>
    private async Task<Socket> ConnectRawAsync(LinkListener listener, IPAddress source)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _sockets.Add(socket);
        socket.Bind(new IPEndPoint(source, 0));
        await socket.ConnectAsync(listener.LocalEndPoint).WaitAsync(s_wait);
        return socket;
    }

    private static async Task<bool> ClosedByPeerAsync(Socket socket)
    {
        try
        {
            return await socket.ReceiveAsync(new byte[16]).WaitAsync(s_wait) == 0;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }
}
