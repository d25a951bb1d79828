using System.Security.Cryptography;

namespace Mixnode.IntegrationTests;

/// <summary>
/// What issue-level mixing promises across real sockets: each node's loops cross the network and come back, links to
/// the next layer come up before any traffic, a timed-pool network delivers, and the node-level rules (delay cap,
/// packets ending at a mix) drop with a count.
/// </summary>
public sealed class MixingAndCoverTests
{
    private static readonly string[] s_toProvider = ["mix0", "mix1", "provider"];

    [Fact]
    public async Task Every_node_s_loops_cross_the_network_and_come_back()
    {
        using var network = CreateNetwork();
        string[] fastLoops = ["Mixnode:Mixing:LoopRatePerSecond=40", "Mixnode:Delivery:Sink=count"];
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", fastLoops);
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1", fastLoops);
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", fastLoops);
        InProcessNode[] nodes = [provider, mix0, mix1];

        Assert.True(
            await Eventually.TrueAsync(() => nodes.All(n => InProcessNode.Total(n.LoopsReturned) >= 5), TimeSpan.FromSeconds(30)),
            $"loops returned: {string.Join(", ", nodes.Select(n => $"{InProcessNode.Total(n.LoopsReturned)} of {InProcessNode.Total(n.LoopsSent)}"))}");
        Assert.All(nodes, n => Assert.True(InProcessNode.Total(n.LoopsReturned) <= InProcessNode.Total(n.LoopsSent)));

        // Loops end at their own node and are never handed to the delivery sink, nor dropped as "ends at a mix".
        Assert.Empty(provider.Delivered);
        Assert.Equal(0, mix0.Dropped("not_provider") + mix1.Dropped("not_provider"));
    }

    [Fact]
    public async Task Links_to_the_next_layer_come_up_at_start_without_any_traffic()
    {
        using var network = CreateNetwork();
        string[] noLoops = ["Mixnode:Mixing:LoopRatePerSecond=0"];
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", noLoops);
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1", noLoops);
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", noLoops);

        // mix0 → mix1 → provider → mix0: each node opens its outbound link to the next layer by itself.
        Assert.True(
            await Eventually.TrueAsync(() => new[] { provider, mix0, mix1 }.All(n => Outbound(n) >= 1), TimeSpan.FromSeconds(15)),
            $"outbound links: provider {Outbound(provider)}, mix0 {Outbound(mix0)}, mix1 {Outbound(mix1)}");
        Assert.Empty(provider.Delivered);
    }

    [Fact]
    public async Task A_timed_pool_network_delivers_and_ignores_the_senders_delays()
    {
        using var network = CreateNetwork();
        string[] pool = ["Mixnode:Mixing:Strategy=timed-pool", "Mixnode:Mixing:PoolInterval=00:00:00.020", "Mixnode:Mixing:PoolMinPool=0", "Mixnode:Mixing:PoolFraction=1", "Mixnode:Mixing:LoopRatePerSecond=0"];
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", [.. pool, "Mixnode:Delivery:Sink=count"]);
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1", pool);
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", pool);
        long epoch = ChainTests.CurrentEpoch(network);

        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        for (int i = 0; i < 50; i++)
        {
            // A delay far above the cap: a pool ignores it, so nothing is dropped for it and nothing waits for it.
            (byte[] packet, _) = PacketFactory.Create(network, epoch, s_toProvider, RandomNumberGenerator.GetBytes(32), delayMs: 600_000);
            Assert.True(await link.SendAsync(packet));
        }

        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count == 50, TimeSpan.FromSeconds(20)), $"delivered {provider.Delivered.Count} of 50");
        Assert.Equal(0, mix0.Dropped("delay"));
    }

    [Fact]
    public async Task A_delay_above_the_network_cap_and_a_packet_ending_at_a_mix_are_dropped_and_counted()
    {
        using var network = CreateNetwork();
        string[] noLoops = ["Mixnode:Mixing:LoopRatePerSecond=0"];
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", [.. noLoops, "Mixnode:Delivery:Sink=count"]);
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1", noLoops);
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", noLoops);
        long epoch = ChainTests.CurrentEpoch(network);

        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));

        // The network's mean delay is 50 ms, so its cap is 1 s (20 means); the node's own bound (10 min) is higher.
        (byte[] tooLong, _) = PacketFactory.Create(network, epoch, s_toProvider, new byte[32], delayMs: 1_001);
        (byte[] atCap, _) = PacketFactory.Create(network, epoch, s_toProvider, new byte[32], delayMs: 1_000);
        (byte[] endsAtMix, _) = PacketFactory.Create(network, epoch, ["mix0", "mix1"], new byte[32], delayMs: 0);
        Assert.True(await link.SendAsync(tooLong));
        Assert.True(await link.SendAsync(atCap));
        Assert.True(await link.SendAsync(endsAtMix));

        Assert.True(await Eventually.TrueAsync(() => mix0.Dropped("delay") == 1 && mix1.Dropped("not_provider") == 1, TimeSpan.FromSeconds(10)));
        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count == 1, TimeSpan.FromSeconds(10)), "the packet at the cap arrives");
        Assert.Empty(mix1.Delivered);
    }

    private static long Outbound(InProcessNode node) =>
        node.LinksOpened.GetMeasurementSnapshot().Where(m => Equals(m.Tags["direction"], "outbound")).Sum(m => m.Value);

    private static LocalNetwork CreateNetwork() => ChainTests.CreateNetwork();
}
