using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Bad peers on real sockets: each is cut off with a counted reason, within bounded time and memory, and
/// the node keeps serving a well-behaved member afterwards.
/// </summary>
public sealed class LinkAbuseTests
{
    private static readonly string[] s_fastTimeouts =
    [
        "Mixnode:Links:HandshakeTimeout=00:00:00.400",
        "Mixnode:Links:MaxConnectionsPerAddress=16",
        "Mixnode:Links:MaxConnections=64",
    ];

    [Fact]
    public async Task Garbage_instead_of_a_handshake_is_refused_and_others_are_still_served()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", s_fastTimeouts);

        using (Socket garbage = await ConnectAsync(network.EndPoint("mix0")))
        {
            // A length prefix of 64 then random bytes: not a Noise message.
            byte[] junk = RandomNumberGenerator.GetBytes(2000);
            junk[0] = 0;
            junk[1] = 64;
            await garbage.SendAsync(junk);
            Assert.True(await Eventually.TrueAsync(() => mix0.Closed("handshake_failed") == 1, TimeSpan.FromSeconds(5)));
        }

        await AssertServesMemberAsync(network);
    }

    [Fact]
    public async Task An_oversized_handshake_length_closes_the_connection()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", s_fastTimeouts);

        using Socket socket = await ConnectAsync(network.EndPoint("mix0"));
        await socket.SendAsync(new byte[] { 0xFF, 0xFF, 1, 2, 3 });
        Assert.True(await Eventually.TrueAsync(() => mix0.Closed("handshake_failed") == 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(0, await ReceiveUntilClosedAsync(socket));
    }

    [Fact]
    public async Task A_handshake_that_stalls_half_way_times_out()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", s_fastTimeouts);

        using Socket silent = await ConnectAsync(network.EndPoint("mix0"));
        // Half a length prefix, then nothing.
        await silent.SendAsync(new byte[] { 0 });
        Assert.True(await Eventually.TrueAsync(() => mix0.Closed("handshake_timeout") == 1, TimeSpan.FromSeconds(5)));
        await AssertServesMemberAsync(network);
    }

    [Fact]
    public async Task Hundreds_of_idle_connections_are_limited_in_total_and_per_address_and_timed_out()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0",
            "Mixnode:Links:HandshakeTimeout=00:00:03", "Mixnode:Links:MaxConnectionsPerAddress=16", "Mixnode:Links:MaxConnections=100",
            // All the sources share 127.0.0.0/24 and none is a member: this test is about the per-address and total bounds.
            "Mixnode:Links:MaxConnectionsPerPrefix=1000", "Mixnode:Links:HandshakeBurstPerPrefix=1000", "Mixnode:Links:ReservedMemberConnections=0");

        var sockets = new List<Socket>();
        try
        {
            // 20 from one address: 16 admitted, 4 refused at accept.
            for (int i = 0; i < 20; i++)
            {
                sockets.Add(await ConnectAsync(network.EndPoint("mix0"), new IPEndPoint(IPAddress.Parse("127.0.0.10"), 0)));
            }

            // 150 more from ten other addresses (15 each, within the per-address limit): 84 fit under the total of 100.
            for (int i = 0; i < 150; i++)
            {
                sockets.Add(await ConnectAsync(network.EndPoint("mix0"), new IPEndPoint(IPAddress.Parse($"127.0.0.{20 + (i % 10)}"), 0)));
            }

            Assert.True(await Eventually.TrueAsync(() => mix0.Closed("limit_per_address") == 4 && mix0.Closed("limit_total") == 66, TimeSpan.FromSeconds(10)), Counts(mix0));

            // Nobody completes a handshake: every admitted connection is cut at the handshake timeout.
            Assert.True(await Eventually.TrueAsync(() => mix0.Closed("handshake_timeout") == 100, TimeSpan.FromSeconds(15)), Counts(mix0));
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }

        await AssertServesMemberAsync(network);
    }

    private static string Counts(InProcessNode node) =>
        $"per-address {node.Closed("limit_per_address")}, total {node.Closed("limit_total")}, handshake timeout {node.Closed("handshake_timeout")}";

    [Fact]
    public async Task A_frame_without_a_valid_command_closes_the_link()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", s_fastTimeouts);
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));

        // Correctly encrypted, but the plaintext is random: no valid wire command (bad id, reserved byte or padding).
        Assert.True(await link.Session.SendAsync(frame =>
        {
            RandomNumberGenerator.Fill(frame);
            return true;
        }));
        Assert.True(await Eventually.TrueAsync(() => mix0.Closed("malformed_command") == 1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Packets_for_a_peer_that_stays_down_are_dropped_after_a_bounded_wait()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0",
            "Mixnode:Links:PeerDownDropAfter=00:00:00.500", "Mixnode:Links:ReconnectBackoffMin=00:00:00.020", "Mixnode:Links:ReconnectBackoffMax=00:00:00.100");
        long epoch = ChainTests.CurrentEpoch(network);
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));

        // mix1 is not running: nothing listens on its address.
        for (int i = 0; i < 20; i++)
        {
            (byte[] packet, _) = PacketFactory.Create(network, epoch, ["mix0", "mix1", "provider"], new byte[32], delayMs: 0);
            Assert.True(await link.SendAsync(packet));
        }

        Assert.True(await Eventually.TrueAsync(() => mix0.Dropped("peer_down") == 20, TimeSpan.FromSeconds(10)), $"dropped {mix0.Dropped("peer_down")}");
    }

    [Fact]
    public async Task A_next_hop_that_never_reads_costs_bounded_memory_and_drops_are_counted()
    {
        using var network = ChainTests.CreateNetwork();
        await using RecordingPeer blackHole = RecordingPeer.StartNeverReading(network, "mix1");
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0",
            "Mixnode:Links:OutboundQueueCapacity=64", "Mixnode:Links:PauseThresholdBytes=65536");
        long epoch = ChainTests.CurrentEpoch(network);
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));

        const int count = 3000;
        for (int i = 0; i < count; i++)
        {
            (byte[] packet, _) = PacketFactory.Create(network, epoch, ["mix0", "mix1", "provider"], new byte[32], delayMs: 0);
            Assert.True(await link.SendAsync(packet));
        }

        // 3000 packets are 9 MB: more than the kernel send buffer (up to 4 MB), the 64 KB pipe and the 64-packet queue hold.
        Assert.True(await Eventually.TrueAsync(() => mix0.Dropped("overload") > 0, TimeSpan.FromSeconds(20)), "overload drops are counted");
        Assert.True(await Eventually.TrueAsync(() => blackHole.Handshakes == 1, TimeSpan.FromSeconds(10)), "the node linked to the black hole once");
    }

    private static async Task AssertServesMemberAsync(LocalNetwork network)
    {
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        Assert.True(link.Session.IsEstablished);
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endPoint, IPEndPoint? source = null)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        if (source is not null)
        {
            socket.Bind(source);
        }

        await socket.ConnectAsync(endPoint);
        return socket;
    }

    private static async Task<int> ReceiveUntilClosedAsync(Socket socket)
    {
        byte[] buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (SocketException)
        {
            return 0;
        }
    }
}
