using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Node.Clients;
using Mixnode.Node.Ingress;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Unwrap;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Clients;

/// <summary>
/// Client identities are free (any static key is a client): the rate is charged to the client's source prefix as
/// well as to its session, so reconnecting with a fresh key does not reset it.
/// </summary>
public sealed class ClientPrefixRateTests : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private static readonly WireFraming s_framing = ClientLinkProtocol.Framing(SphinxGeometry.Default);
    private static readonly SourcePrefix s_prefix = SourcePrefix.Of(IPAddress.Parse("192.0.2.10"));
    private readonly FakeTimeProvider _time = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<LinkSession> _sessions = [];
    private readonly TestMeterFactory _meters;
    private readonly NodeMetrics _metrics;

    public ClientPrefixRateTests() => _metrics = TestMeterFactory.NewMetrics(out _meters);

    public async ValueTask DisposeAsync()
    {
        foreach (LinkSession session in _sessions)
        {
            await session.DisposeAsync();
        }

        _sockets.ForEach(s => s.Dispose());
        _meters.Dispose();
    }

    [Fact]
    public async Task A_fresh_client_key_from_the_same_prefix_starts_in_the_prefix_debt()
    {
        var options = new ClientOptions { RatePerSecond = 10, Burst = 10, PrefixRatePerSecond = 10, PrefixBurst = 10 };
        var handler = new ClientCommandHandler(new IngressQueue(1024, _metrics), null, options, s_framing, _metrics, _time);

        // The first identity spends the prefix's burst, and a little more.
        LinkSession first = await AttachedSessionAsync(handler, s_prefix);
        Send(handler, first, 12);
        Assert.Equal(TimeSpan.FromMilliseconds(200), handler.ReadPause(first));

        // A throwaway identity from another address of the same /24: its own bucket is full, but it waits all the same.
        LinkSession second = await AttachedSessionAsync(handler, SourcePrefix.Of(IPAddress.Parse("192.0.2.99")));
        Send(handler, second, 1);
        Assert.Equal(TimeSpan.FromMilliseconds(300), handler.ReadPause(second));

        // Another prefix is not held back, and the prefix's debt cuts nobody off: it only pauses reading.
        LinkSession elsewhere = await AttachedSessionAsync(handler, SourcePrefix.Of(IPAddress.Parse("198.51.100.1")));
        Send(handler, elsewhere, 1);
        Assert.Equal(TimeSpan.Zero, handler.ReadPause(elsewhere));
        _time.Advance(options.CutOffAfter + TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, handler.ReadPause(second));
        Assert.NotEqual(LinkCloseReason.RateLimited, second.CloseReason);
    }

    [Fact]
    public async Task A_detached_session_lets_go_of_its_prefix()
    {
        var options = new ClientOptions { PrefixRatePerSecond = 10, PrefixBurst = 10 };
        var handler = new ClientCommandHandler(new IngressQueue(1024, _metrics), null, options, s_framing, _metrics, _time, maxTrackedPrefixes: 1);
        LinkSession first = await AttachedSessionAsync(handler, s_prefix);

        // The table tracks one prefix, held by the session: a second prefix is refused until it ends.
        LinkSession other = await SessionAsync();
        Assert.False(handler.TryAttach(other, SourcePrefix.Of(IPAddress.Parse("198.51.100.1"))));
        handler.Detach(first);
        _time.Advance(PrefixRateLimiter.SweepInterval);
        Assert.True(handler.TryAttach(other, SourcePrefix.Of(IPAddress.Parse("198.51.100.1"))));
    }

    private static void Send(ClientCommandHandler handler, LinkSession session, int packets)
    {
        byte[] packet = new byte[s_framing.PacketLength];
        for (int i = 0; i < packets; i++)
        {
            Assert.True(handler.Handle(session, WireCommand.SendPacket(packet)));
        }
    }

    private async Task<LinkSession> AttachedSessionAsync(ClientCommandHandler handler, SourcePrefix prefix)
    {
        LinkSession session = await SessionAsync();
        Assert.True(handler.TryAttach(session, prefix));
        return session;
    }

    /// <summary>A provider-side session that is never started: the handler only keeps its rate state on it.</summary>
    private async Task<LinkSession> SessionAsync()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync(s_wait);
        _sockets.Add(client);
        var settings = new LinkSessionSettings(s_framing, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval);
        var session = new LinkSession(new SocketPipeConnection(server, 1 << 20), settings, _time, initiator: false);
        _sessions.Add(session);
        return session;
    }
}
