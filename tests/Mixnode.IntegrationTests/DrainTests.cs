using System.Diagnostics;
using System.Security.Cryptography;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Stopping a node (SIGTERM): it stops accepting, lets held packets whose delay ends within the shutdown timeout
/// leave, drops (and counts, reason shutdown) those it cannot, and is done within the timeout.
/// </summary>
public sealed class DrainTests
{
    private static readonly string[] s_toProvider = ["mix0", "mix1", "provider"];

    [Fact]
    public async Task Packets_whose_delay_ends_within_the_shutdown_timeout_still_leave()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=count");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", "Mixnode:ShutdownTimeout=00:00:05");
        long epoch = ChainTests.CurrentEpoch(network);
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        const int Count = 20;
        for (int i = 0; i < Count; i++)
        {
            // 900 ms at mix0 (under the network's cap of 20 × 50 ms), nothing after it.
            (byte[] packet, _) = PacketFactory.Create(network, epoch, s_toProvider, RandomNumberGenerator.GetBytes(32), delayMs: 900);
            Assert.True(await link.SendAsync(packet));
        }

        await Task.Delay(200);
        await mix0.StopAsync();

        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count == Count, TimeSpan.FromSeconds(10)), $"delivered {provider.Delivered.Count} of {Count}");
        Assert.Equal(0, mix0.Dropped("shutdown"));
    }

    [Fact]
    public async Task Packets_held_beyond_the_shutdown_timeout_are_dropped_and_counted_and_the_stop_keeps_to_its_timeout()
    {
        using var network = ChainTests.CreateNetwork();
        // A pool that sends only every ten minutes holds everything it gets.
        string[] holding = ["Mixnode:Mixing:Strategy=timed-pool", "Mixnode:Mixing:PoolInterval=00:10:00", "Mixnode:Mixing:PoolThreshold=0", "Mixnode:ShutdownTimeout=00:00:02"];
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=count");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", holding);
        long epoch = ChainTests.CurrentEpoch(network);
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        const int Count = 15;
        for (int i = 0; i < Count; i++)
        {
            (byte[] packet, _) = PacketFactory.Create(network, epoch, s_toProvider, RandomNumberGenerator.GetBytes(32), delayMs: 0);
            Assert.True(await link.SendAsync(packet));
        }

        Assert.True(await Eventually.TrueAsync(() => InProcessNode.Total(mix0.Received) == Count, TimeSpan.FromSeconds(10)));
        var stopping = Stopwatch.StartNew();
        await mix0.StopAsync();
        stopping.Stop();

        Assert.Equal(Count, mix0.Dropped("shutdown"));
        Assert.Empty(provider.Delivered);
        // Bounded by its own timeout (2 s) and not by anything slower; generous against a loaded machine.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stop took {stopping.Elapsed}");
    }
}
