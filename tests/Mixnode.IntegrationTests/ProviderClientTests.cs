using System.Security.Cryptography;
using Mixnode.Node.Delivery;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.IntegrationTests;

/// <summary>A provider's client side on real sockets: send through the network, fetch from the mailbox, echo, rate limit, bad packets.</summary>
public sealed class ProviderClientTests
{
    private static readonly string[] s_loop = ["provider", "mix0", "mix1", "provider"];

    [Fact]
    public async Task A_client_sends_through_the_mixes_and_fetches_its_message_from_its_mailbox()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=mailbox");
        await using TestClient client = await TestClient.ConnectAsync(network, "provider");
        long epoch = ChainTests.CurrentEpoch(network);

        (byte[] packet, byte[] message) = PacketFactory.Create(network, epoch, s_loop, client.RecipientId, delayMs: 1);

        // Long polling: the retrieval is asked before the message exists and is answered when it arrives.
        Assert.True(await client.RetrieveAsync(7));
        await Task.Delay(100);
        Assert.Empty(client.Replies);
        Assert.True(await client.SendAsync(packet));

        Assert.True(await Eventually.TrueAsync(() => client.Replies.Any(r => r.Kind == WireMessageKind.Message), TimeSpan.FromSeconds(10)));
        var delivered = client.Replies.First(r => r.Kind == WireMessageKind.Message);
        Assert.Equal(7u, delivered.Sequence);
        Assert.Equal(message, delivered.Payload);
    }

    [Fact]
    public async Task The_echo_service_answers_through_the_SURB_into_the_senders_mailbox()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=mailbox");
        await using TestClient client = await TestClient.ConnectAsync(network, "provider");
        long epoch = ChainTests.CurrentEpoch(network);
        SphinxGeometry geometry = network.Geometry;

        // The SURB leads back provider → mix0 → mix1 → provider, to the client's mailbox.
        byte[] surbId = RandomNumberGenerator.GetBytes(16);
        PathHop[] surbPath = PacketFactory.Path(network, epoch, s_loop, RoutingCommands.ToRecipient(client.RecipientId).WithSurbReply(surbId), delayMs: 1);
        byte[] surb = new byte[geometry.SurbLength];
        byte[] surbKeys = new byte[SphinxGeometry.SurbKeysLength(s_loop.Length)];
        SurbBuilder.CreateSurb(geometry, surbPath, surb, surbKeys);
        byte[] message = new byte[geometry.ForwardPayloadLength];
        surb.CopyTo(message, 0);
        byte[] body = RandomNumberGenerator.GetBytes(100);
        body.CopyTo(message, surb.Length);

        PathHop[] path = PacketFactory.Path(network, epoch, s_loop, RoutingCommands.ToRecipient(EchoService.RecipientId.AsReadOnlySpan()), delayMs: 1);

        byte[] packet = new byte[geometry.PacketLength];
        SphinxPacketBuilder.CreatePacket(geometry, path, message, packet);
        Assert.True(await client.SendAsync(packet));

        uint sequence = 0;
        Assert.True(await Eventually.TrueAsync(() =>
        {
            _ = client.RetrieveAsync(++sequence);
            return client.Replies.Any(r => r.Kind == WireMessageKind.Ack);
        }, TimeSpan.FromSeconds(10)));
        var reply = client.Replies.First(r => r.Kind == WireMessageKind.Ack);
        Assert.Equal(surbId, reply.SurbId);
        Assert.Equal(ReplyDecryptResult.Success, SurbBuilder.TryDecryptReply(geometry, surbKeys, reply.Payload));
        Assert.Equal(body, reply.Payload.AsSpan(SphinxGeometry.PayloadTagLength, body.Length).ToArray());
    }

    [Fact]
    public async Task A_client_over_its_rate_is_slowed_then_cut_off()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider",
            "Mixnode:Clients:RatePerSecond=20", "Mixnode:Clients:Burst=10", "Mixnode:Clients:CutOffAfter=00:00:00.500");
        await using TestClient client = await TestClient.ConnectAsync(network, "provider");
        long epoch = ChainTests.CurrentEpoch(network);
        (byte[] packet, _) = PacketFactory.Create(network, epoch, s_loop, client.RecipientId, delayMs: 0);

        // Far above 20/s for well over the cut-off: the provider stops reading, then closes.
        DateTime until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until && provider.Closed("rate_limited") == 0)
        {
            if (!await client.SendAsync((byte[])packet.Clone()))
            {
                break;
            }
        }

        Assert.True(await Eventually.TrueAsync(() => provider.Closed("rate_limited") == 1, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_client_flooding_its_provider_does_not_starve_another_client()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=mailbox",
            "Mixnode:Clients:RatePerSecond=50", "Mixnode:Clients:Burst=10", "Mixnode:Clients:CutOffAfter=00:00:30");
        await using TestClient flooder = await TestClient.ConnectAsync(network, "provider");
        await using TestClient polite = await TestClient.ConnectAsync(network, "provider");
        long epoch = ChainTests.CurrentEpoch(network);
        (byte[] flood, _) = PacketFactory.Create(network, epoch, s_loop, flooder.RecipientId, delayMs: 0);
        (byte[] packet, byte[] message) = PacketFactory.Create(network, epoch, s_loop, polite.RecipientId, delayMs: 0);

        // The flooder runs far above its rate (its link stops being read); meanwhile the other client's packet goes through.
        using var stop = new CancellationTokenSource();
        Task flooding = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && await flooder.SendAsync((byte[])flood.Clone()))
            {
            }
        });
        await Task.Delay(500);
        Assert.True(await polite.RetrieveAsync(1));
        Assert.True(await polite.SendAsync(packet));
        Assert.True(await Eventually.TrueAsync(() => polite.Replies.Any(r => r.Kind == WireMessageKind.Message), TimeSpan.FromSeconds(10)), "the polite client's message arrived while the other flooded");
        Assert.Equal(message, polite.Replies.First(r => r.Kind == WireMessageKind.Message).Payload);

        await stop.CancelAsync();
        flooder.Session.Close(Mixnode.Links.LinkCloseReason.Closed);
        await flooding.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_client_sending_a_packet_that_does_not_unwrap_is_disconnected()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider");
        await using TestClient client = await TestClient.ConnectAsync(network, "provider");

        Assert.True(await client.SendAsync(RandomNumberGenerator.GetBytes(network.Geometry.PacketLength)));
        Assert.True(await Eventually.TrueAsync(() => provider.Closed("malformed_packet") == 1, TimeSpan.FromSeconds(10)));
        Assert.True(await Eventually.TrueAsync(() => client.Session.CloseReason is not null, TimeSpan.FromSeconds(5)));
    }
}
