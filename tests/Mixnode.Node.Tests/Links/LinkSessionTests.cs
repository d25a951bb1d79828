using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Links;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Links;

/// <summary>
/// Two real sessions over a loopback socket pair: the Noise XX handshake and its key check, packets both ways
/// through rekeys, and every way a session ends. Timers run on a <see cref="FakeTimeProvider"/>; every wait on
/// real I/O is bounded.
/// </summary>
public sealed class LinkSessionTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private static readonly WireFraming s_framing = WireFraming.ForMixLink(SphinxGeometry.Default);
    private static readonly TimeSpan s_handshakeTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_idleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_noOpInterval = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_handshake_succeeds_when_each_side_accepts_the_key_the_other_holds()
    {
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(), Settings());
        byte[]? seenByInitiator = null;
        byte[]? seenByResponder = null;
        (bool initiator, bool responder) = await pair.HandshakeAsync(
            key => (seenByInitiator = key.ToArray()).AsSpan().SequenceEqual(pair.ResponderKey.PublicKey),
            key => (seenByResponder = key.ToArray()).AsSpan().SequenceEqual(pair.InitiatorKey.PublicKey));

        Assert.True(initiator);
        Assert.True(responder);
        Assert.Equal(pair.ResponderKey.PublicKey.ToArray(), seenByInitiator);
        Assert.Equal(pair.InitiatorKey.PublicKey.ToArray(), seenByResponder);
        Assert.True(pair.Initiator.IsEstablished && pair.Responder.IsEstablished);
        Assert.Null(pair.Initiator.CloseReason);
        Assert.Null(pair.Responder.CloseReason);
    }

    [Fact]
    public async Task An_initiator_that_does_not_know_the_responders_key_ends_the_handshake()
    {
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(), Settings());
        (bool initiator, bool responder) = await pair.HandshakeAsync(_ => false, _ => true);
        Assert.False(initiator);
        Assert.False(responder);
        Assert.Equal(LinkCloseReason.UnknownPeer, pair.Initiator.CloseReason);
        Assert.False(pair.Responder.IsEstablished);
    }

    [Fact]
    public async Task A_responder_that_does_not_know_the_initiators_key_ends_the_handshake()
    {
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(), Settings());
        (_, bool responder) = await pair.HandshakeAsync(_ => true, _ => false);
        Assert.False(responder);
        Assert.Equal(LinkCloseReason.UnknownPeer, pair.Responder.CloseReason);
        Assert.False(pair.Responder.IsEstablished);
    }

    [Fact]
    public async Task A_hundred_packets_arrive_byte_identical_and_in_order()
    {
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(), Settings());
        await pair.EstablishAsync();
        var received = new RecordingCommandHandler();
        Task<LinkCloseReason> loop = pair.Responder.RunReceiveLoopAsync(received);

        byte[][] packets = [.. Enumerable.Range(0, 100).Select(_ => RandomNumberGenerator.GetBytes(s_framing.PacketLength))];
        foreach (byte[] packet in packets)
        {
            Assert.True(await pair.Initiator.SendPacketAsync(packet).AsTask().WaitAsync(s_wait));
        }

        Assert.Equal(packets, await received.TakeAsync(100));
        Assert.Same(pair.Responder, received.Session);

        pair.Responder.Close(LinkCloseReason.Closed);
        Assert.Equal(LinkCloseReason.Closed, await loop.WaitAsync(s_wait));
    }

    [Fact]
    public async Task Sending_now_delivers_when_the_link_is_idle_and_declines_before_the_handshake_and_after_close()
    {
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(), Settings());
        byte[] early = RandomNumberGenerator.GetBytes(s_framing.PacketLength);
        Assert.False(pair.Initiator.TrySendPacketNow(early)); // no keys yet: nothing can be written

        await pair.EstablishAsync();
        var received = new RecordingCommandHandler();
        Task<LinkCloseReason> loop = pair.Responder.RunReceiveLoopAsync(received);

        // Mixed with queued-style sends, in order, byte-identical.
        byte[][] packets = [.. Enumerable.Range(0, 20).Select(_ => RandomNumberGenerator.GetBytes(s_framing.PacketLength))];
        for (int i = 0; i < packets.Length; i++)
        {
            if (i % 2 == 0)
            {
                Assert.True(pair.Initiator.TrySendPacketNow(packets[i]));
            }
            else
            {
                Assert.True(await pair.Initiator.SendPacketAsync(packets[i]).AsTask().WaitAsync(s_wait));
            }
        }

        Assert.Equal(packets, await received.TakeAsync(packets.Length));

        pair.Initiator.Close(LinkCloseReason.Closed);
        Assert.False(pair.Initiator.TrySendPacketNow(early));
        Assert.Equal(LinkCloseReason.Closed, await loop.WaitAsync(s_wait));
    }

    [Fact]
    public async Task With_a_short_rekey_interval_both_directions_rekey_in_lockstep()
    {
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(rekeyInterval: 7), Settings(rekeyInterval: 7));
        await pair.EstablishAsync();
        var atResponder = new RecordingCommandHandler();
        var atInitiator = new RecordingCommandHandler();
        Task<LinkCloseReason> responderLoop = pair.Responder.RunReceiveLoopAsync(atResponder);
        Task<LinkCloseReason> initiatorLoop = pair.Initiator.RunReceiveLoopAsync(atInitiator);

        byte[][] forward = [.. Enumerable.Range(0, 100).Select(_ => RandomNumberGenerator.GetBytes(s_framing.PacketLength))];
        byte[][] back = [.. Enumerable.Range(0, 100).Select(_ => RandomNumberGenerator.GetBytes(s_framing.PacketLength))];
        await Task.WhenAll(SendAllAsync(pair.Initiator, forward), SendAllAsync(pair.Responder, back)).WaitAsync(s_wait);

        Assert.Equal(forward, await atResponder.TakeAsync(100));
        Assert.Equal(back, await atInitiator.TakeAsync(100));
        Assert.Null(pair.Initiator.CloseReason);
        Assert.Null(pair.Responder.CloseReason);

        await pair.Initiator.SendDisconnectAsync();
        Assert.Equal(LinkCloseReason.PeerDisconnected, await responderLoop.WaitAsync(s_wait));
        Assert.Equal(LinkCloseReason.Closed, await initiatorLoop.WaitAsync(s_wait));
    }

    [Fact]
    public async Task Sides_that_rekey_at_different_intervals_fail_at_the_first_rekey()
    {
        // The control for the lockstep test: rekeying really changes the key.
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(rekeyInterval: 7), Settings());
        await pair.EstablishAsync();
        var received = new RecordingCommandHandler();
        Task<LinkCloseReason> loop = pair.Responder.RunReceiveLoopAsync(received);

        byte[][] packets = [.. Enumerable.Range(0, 8).Select(_ => RandomNumberGenerator.GetBytes(s_framing.PacketLength))];
        await SendAllAsync(pair.Initiator, packets).WaitAsync(s_wait);

        Assert.Equal(LinkCloseReason.DecryptFailed, await loop.WaitAsync(s_wait));
        Assert.Equal(packets[..7], await received.TakeAsync(7));
        Assert.Equal(0, received.Count);
    }

    [Fact]
    public async Task Garbage_after_the_handshake_closes_the_link_as_decrypt_failed()
    {
        await using Pair pair = await Pair.ConnectAsync(new FakeTimeProvider(), Settings(), Settings());
        await pair.EstablishAsync();
        var received = new RecordingCommandHandler();
        Task<LinkCloseReason> responderLoop = pair.Responder.RunReceiveLoopAsync(received);
        Task<LinkCloseReason> initiatorLoop = pair.Initiator.RunReceiveLoopAsync(new RecordingCommandHandler());

        // Bytes written under the session, straight into the initiator's socket: one frame's worth, not Noise.
        await pair.InitiatorConnection.Output.WriteAsync(RandomNumberGenerator.GetBytes(LinkProtocol.TransportFrameLength(s_framing)));

        Assert.Equal(LinkCloseReason.DecryptFailed, await responderLoop.WaitAsync(s_wait));
        Assert.Equal(0, received.Count);

        // The other end sees its link end.
        await initiatorLoop.WaitAsync(s_wait);
    }

    [Theory]
    [InlineData(0xFFFF)]
    [InlineData(LinkProtocol.MaxHandshakeMessage + 1)]
    [InlineData(0)]
    public async Task An_impossible_handshake_length_fails_the_handshake(int prefix)
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync(s_wait);
        using Socket raw = client;
        await using var session = new LinkSession(new SocketPipeConnection(server, 1 << 20), Settings(), new FakeTimeProvider(), initiator: false);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        session.Start();
        Task<bool> handshake = session.HandshakeAsync(key, _ => true);

        await raw.SendAsync(new byte[] { (byte)(prefix >> 8), (byte)prefix, 1, 2, 3, 4 });

        Assert.False(await handshake.WaitAsync(s_wait));
        Assert.Equal(LinkCloseReason.HandshakeFailed, session.CloseReason);
    }

    [Fact]
    public async Task A_handshake_message_that_does_not_parse_fails_the_handshake()
    {
        (Socket client, Socket server) = await SocketPair.ConnectAsync(s_wait);
        using Socket raw = client;
        await using var session = new LinkSession(new SocketPipeConnection(server, 1 << 20), Settings(), new FakeTimeProvider(), initiator: false);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        session.Start();
        Task<bool> handshake = session.HandshakeAsync(key, _ => true);

        // XX message 1 is an ephemeral key: 32 bytes. Ten cannot be one.
        await raw.SendAsync((byte[])[0, 10, .. RandomNumberGenerator.GetBytes(10)]);

        Assert.False(await handshake.WaitAsync(s_wait));
        Assert.Equal(LinkCloseReason.HandshakeFailed, session.CloseReason);
    }

    [Fact]
    public async Task A_peer_that_never_speaks_is_cut_off_at_the_handshake_timeout()
    {
        var time = new FakeTimeProvider();
        (Socket client, Socket server) = await SocketPair.ConnectAsync(s_wait);
        using Socket raw = client;
        await using var session = new LinkSession(new SocketPipeConnection(server, 1 << 20), Settings(), time, initiator: false);
        using X25519PrivateKey key = X25519PrivateKey.Generate();
        session.Start();
        Task<bool> handshake = session.HandshakeAsync(key, _ => true);

        time.Advance(s_handshakeTimeout - TimeSpan.FromMilliseconds(100));
        Assert.Null(session.CloseReason);
        Assert.False(handshake.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(LinkCloseReason.HandshakeTimeout, session.CloseReason);
        Assert.False(await handshake.WaitAsync(s_wait));

        // The socket was closed: the silent peer reads the end of the stream.
        byte[] buffer = new byte[16];
        Assert.Equal(0, await raw.ReceiveAsync(buffer).WaitAsync(s_wait));
    }

    [Fact]
    public async Task NoOps_keep_an_otherwise_idle_link_open_far_beyond_the_idle_timeout()
    {
        var time = new FakeTimeProvider();
        await using Pair pair = await Pair.ConnectAsync(time, Settings(), Settings());
        await pair.EstablishAsync();
        var atInitiator = new RecordingCommandHandler();
        var atResponder = new RecordingCommandHandler();
        Task<LinkCloseReason> initiatorLoop = pair.Initiator.RunReceiveLoopAsync(atInitiator);
        Task<LinkCloseReason> responderLoop = pair.Responder.RunReceiveLoopAsync(atResponder);

        for (int i = 0; i < 8; i++)
        {
            time.Advance(s_noOpInterval);
            long now = time.GetTimestamp();

            // Each side sent a NoOp; wait until each has seen the other's before the clock moves on.
            Assert.True(
                await Eventually.TrueAsync(() => pair.Initiator.LastReceivedTimestamp == now && pair.Responder.LastReceivedTimestamp == now, s_wait),
                $"the NoOps of round {i} did not arrive");
            Assert.Null(pair.Initiator.CloseReason);
            Assert.Null(pair.Responder.CloseReason);
        }

        // Twice the idle timeout went by with nothing but NoOps, which the command handlers never see.
        Assert.True(time.GetUtcNow() - time.Start >= 2 * s_idleTimeout);
        Assert.Equal(0, atInitiator.Count);
        Assert.Equal(0, atResponder.Count);
        Assert.False(initiatorLoop.IsCompleted);
        Assert.False(responderLoop.IsCompleted);
    }

    [Fact]
    public async Task A_link_whose_peer_stays_silent_is_closed_at_the_idle_timeout()
    {
        var time = new FakeTimeProvider();

        // The initiator sends no NoOps (and would wait hours itself); the responder sends them and expects traffic.
        LinkSessionSettings silent = Settings(idleTimeout: TimeSpan.FromHours(2), noOpInterval: TimeSpan.FromHours(1));
        await using Pair pair = await Pair.ConnectAsync(time, silent, Settings());
        await pair.EstablishAsync();
        long established = time.GetTimestamp();
        Task<LinkCloseReason> initiatorLoop = pair.Initiator.RunReceiveLoopAsync(new RecordingCommandHandler());
        Task<LinkCloseReason> responderLoop = pair.Responder.RunReceiveLoopAsync(new RecordingCommandHandler());

        for (int i = 0; i < 3; i++)
        {
            time.Advance(s_noOpInterval);
            long now = time.GetTimestamp();
            Assert.True(await Eventually.TrueAsync(() => pair.Initiator.LastReceivedTimestamp == now, s_wait), $"the responder's NoOp of round {i} did not arrive");
            Assert.Equal(established, pair.Responder.LastReceivedTimestamp);
            Assert.Null(pair.Responder.CloseReason);
        }

        // 45 s of silence so far; at 60 s the responder gives up.
        time.Advance(s_idleTimeout - (3 * s_noOpInterval));
        Assert.Equal(LinkCloseReason.IdleTimeout, pair.Responder.CloseReason);
        Assert.Equal(LinkCloseReason.IdleTimeout, await responderLoop.WaitAsync(s_wait));
        Assert.Equal(LinkCloseReason.Closed, await initiatorLoop.WaitAsync(s_wait));
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_cut_off_at_the_send_timeout()
    {
        // Before: a send held back by a peer that never reads waited for ever, holding the send gate (and with it
        // every answer and NoOp queued behind it) while the peer kept the link alive by sending.
        var time = new FakeTimeProvider();
        LinkSessionSettings sender = Settings() with { SendTimeout = TimeSpan.FromSeconds(30) };
        await using Pair pair = await Pair.ConnectAsync(time, Settings(), sender);
        await pair.EstablishAsync();
        Task<LinkCloseReason> senderLoop = pair.Responder.RunReceiveLoopAsync(new RecordingCommandHandler());

        // The initiator runs no receive loop: its pipe and the sockets fill, then a flush stays pending. A send can be
        // pending for a moment and still complete while the kernel grows the socket buffers (TCP autotuning), so
        // keep sending until one stays pending.
        byte[] packet = RandomNumberGenerator.GetBytes(s_framing.PacketLength);
        Task<bool>? stuck = null;
        for (int round = 0; round < 50 && stuck is null; round++)
        {
            Task<bool>? pending = null;
            for (int i = 0; i < 100_000 && pending is null; i++)
            {
                ValueTask<bool> send = pair.Responder.SendPacketAsync(packet);
                if (!send.IsCompleted)
                {
                    pending = send.AsTask();
                }
            }

            Assert.NotNull(pending);
            if (!await Eventually.TrueAsync(() => pending.IsCompleted, TimeSpan.FromMilliseconds(200)))
            {
                stuck = pending;
            }
        }

        Assert.NotNull(stuck);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Null(pair.Responder.CloseReason);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(LinkCloseReason.SendTimeout, pair.Responder.CloseReason);
        Assert.False(await stuck.WaitAsync(s_wait));
        Assert.Equal(LinkCloseReason.SendTimeout, await senderLoop.WaitAsync(s_wait));
    }

    private static LinkSessionSettings Settings(long rekeyInterval = LinkProtocol.DefaultRekeyInterval, TimeSpan? idleTimeout = null, TimeSpan? noOpInterval = null) =>
        new(s_framing, s_handshakeTimeout, idleTimeout ?? s_idleTimeout, noOpInterval ?? s_noOpInterval, rekeyInterval);

    private static async Task SendAllAsync(LinkSession session, byte[][] packets)
    {
        foreach (byte[] packet in packets)
        {
            await session.SendPacketAsync(packet);
        }
    }

    /// <summary>An initiator and a responder session over one socket pair, each with a fresh link key.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private Pair(SocketPipeConnection initiatorConnection, LinkSession initiator, LinkSession responder)
        {
            InitiatorConnection = initiatorConnection;
            Initiator = initiator;
            Responder = responder;
        }

        public SocketPipeConnection InitiatorConnection { get; }

        public LinkSession Initiator { get; }

        public LinkSession Responder { get; }

        public X25519PrivateKey InitiatorKey { get; } = X25519PrivateKey.Generate();

        public X25519PrivateKey ResponderKey { get; } = X25519PrivateKey.Generate();

        public static async Task<Pair> ConnectAsync(TimeProvider time, LinkSessionSettings initiatorSettings, LinkSessionSettings responderSettings)
        {
            (Socket client, Socket server) = await SocketPair.ConnectAsync(s_wait);
            var initiatorConnection = new SocketPipeConnection(client, 1 << 20);
            var pair = new Pair(
                initiatorConnection,
                new LinkSession(initiatorConnection, initiatorSettings, time, initiator: true),
                new LinkSession(new SocketPipeConnection(server, 1 << 20), responderSettings, time, initiator: false));
            pair.Initiator.Start();
            pair.Responder.Start();
            return pair;
        }

        public async Task<(bool Initiator, bool Responder)> HandshakeAsync(Func<ReadOnlyMemory<byte>, bool> initiatorAccepts, Func<ReadOnlyMemory<byte>, bool> responderAccepts)
        {
            Task<bool> initiator = Initiator.HandshakeAsync(InitiatorKey, initiatorAccepts);
            Task<bool> responder = Responder.HandshakeAsync(ResponderKey, responderAccepts);
            bool[] results = await Task.WhenAll(initiator, responder).WaitAsync(s_wait);
            return (results[0], results[1]);
        }

        public async Task EstablishAsync()
        {
            (bool initiator, bool responder) = await HandshakeAsync(
                key => key.Span.SequenceEqual(ResponderKey.PublicKey),
                key => key.Span.SequenceEqual(InitiatorKey.PublicKey));
            Assert.True(initiator && responder, "the handshake failed");
        }

        public async ValueTask DisposeAsync()
        {
            await Initiator.DisposeAsync().AsTask().WaitAsync(s_wait);
            await Responder.DisposeAsync().AsTask().WaitAsync(s_wait);
            InitiatorKey.Dispose();
            ResponderKey.Dispose();
        }
    }
}
