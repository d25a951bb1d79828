namespace Mixnode.IntegrationTests;

/// <summary>The replay filter survives <c>kill -9</c>: a restarted node still refuses what it forwarded before.</summary>
public sealed class CrashRecoveryTests
{
    private static readonly string[] s_route = ["mix0", "mix1", "provider"];

    [Fact]
    public async Task A_node_restarted_after_kill_9_still_refuses_a_packet_it_saw()
    {
        using var network = ChainTests.CreateNetwork();
        // mix0's next hop is played by the test, which records what mix0 forwards without a replay filter of its own.
        await using RecordingPeer mix1 = RecordingPeer.Start(network, "mix1");
        long epoch = ChainTests.CurrentEpoch(network);
        (byte[] seen, _) = PacketFactory.Create(network, epoch, s_route, new byte[32], delayMs: 0);
        (byte[] fresh, _) = PacketFactory.Create(network, epoch, s_route, new byte[32], delayMs: 0);

        using (ChildProcessNode mix0 = ChildProcessNode.Start(network, "mix0"))
        {
            await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(30));
            Assert.True(await link.SendAsync((byte[])seen.Clone()));
            Assert.True(await Eventually.TrueAsync(() => mix1.Packets.Count == 1, TimeSpan.FromSeconds(10)));

            // The bound: a packet accepted more than 1 s before the crash must stay refused.
            await Task.Delay(TimeSpan.FromSeconds(1.2));
            mix0.Kill();
        }

        using (ChildProcessNode restarted = ChildProcessNode.Start(network, "mix0"))
        {
            await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(30));
            Assert.True(await link.SendAsync((byte[])seen.Clone()));
            Assert.True(await link.SendAsync(fresh));

            // The fresh packet proves the restarted node forwards; the replay, sent first on the same link, must not arrive.
            Assert.True(await Eventually.TrueAsync(() => mix1.Packets.Count >= 2, TimeSpan.FromSeconds(10)), "the restarted node forwards fresh packets");
            await Task.Delay(300);
            Assert.Equal(2, mix1.Packets.Count);
        }
    }
}
