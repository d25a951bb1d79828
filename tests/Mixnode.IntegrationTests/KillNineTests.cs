using Mixnode.Node.Keys;
using Xunit.Abstractions;

namespace Mixnode.IntegrationTests;

/// <summary>Runs alone: it starts and kills a node process twenty times and measures nothing against the clock, but a
/// machine loaded by parallel tests would only make it slower.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class KillNineCollection
{
    public const string Name = "Kill -9 under load";
}

/// <summary>
/// A real node process (mix0), fed packets by the test, killed with SIGKILL at random moments and restarted, 20 times.
/// After each restart: (a) packets it forwarded before the kill (so accepted by its replay filter) are refused when sent
/// again, (b) its key files are the ones it had (none lost, none replaced), (c) it starts at all from what the kill left.
/// mix1 is played by the test (<see cref="RecordingPeer"/>), which counts what mix0 forwards.
/// </summary>
[Collection(KillNineCollection.Name)]
public sealed class KillNineTests(ITestOutputHelper output)
{
    private const int Kills = 20;
    private const int Burst = 8;
    private const int ReplaysPerRestart = 24;
    private const int FreshPerRestart = 4;
    private static readonly string[] s_route = ["mix0", "mix1", "provider"];

    [Fact]
    public async Task A_node_killed_20_times_under_traffic_accepts_no_replay_loses_no_key_and_always_restarts()
    {
        using var network = ChainTests.CreateNetwork();
        await using RecordingPeer mix1 = RecordingPeer.Start(network, "mix1");
        long epoch = ChainTests.CurrentEpoch(network);
        var random = new Random(12);
        var accepted = new List<(byte[] Packet, DateTime ConfirmedAt)>();
        var unconfirmed = 0;
        var replaysRefused = 0;
        Dictionary<string, byte[]> keysBefore = KeyFiles(network.KeysDirectory("mix0"));
        Assert.Contains(keysBefore.Keys, k => k.StartsWith("mix", StringComparison.Ordinal));

        for (int round = 0; round <= Kills; round++)
        {
            // No flush during the test: what survives a kill is what the filter's shared mapping put in the page cache.
            using var node = ChildProcessNode.Start(network, "mix0", "Mixnode:ReplayFlushInterval=01:00:00");
            await using InjectorLink link = await node.ConnectInjectorAsync(network, "mix0", TimeSpan.FromSeconds(30));

            // (b) Every key file the node had is still there, byte for byte (mix keys it generates later may be added).
            Dictionary<string, byte[]> keysNow = KeyFiles(network.KeysDirectory("mix0"));
            foreach ((string name, byte[] content) in keysBefore)
            {
                Assert.True(keysNow.TryGetValue(name, out byte[]? now), $"round {round}: key file {name} is gone");
                Assert.True(content.AsSpan().SequenceEqual(now), $"round {round}: key file {name} changed");
            }

            // (a) Replays of packets it forwarded in any earlier life are refused; fresh ones, sent after them on the same
            // link, still go through (which proves the replays were seen and refused, not stuck).
            if (accepted.Count > 0)
            {
                // Half the last bursts before the kill (the hardest case: milliseconds old), half from any earlier life.
                byte[][] replays = [.. accepted.TakeLast(ReplaysPerRestart / 2)
                    .Concat(accepted.SkipLast(ReplaysPerRestart / 2).OrderBy(_ => random.Next()).Take(ReplaysPerRestart / 2))
                    .Select(a => (byte[])a.Packet.Clone())];
                byte[][] fresh = [.. Enumerable.Range(0, FreshPerRestart).Select(_ => NewPacket(network, epoch))];
                int before = mix1.Packets.Count;
                foreach (byte[] packet in replays.Concat(fresh))
                {
                    Assert.True(await link.SendAsync(packet), $"round {round}: the link closed while sending");
                }

                Assert.True(
                    await Eventually.TrueAsync(() => mix1.Packets.Count >= before + fresh.Length, TimeSpan.FromSeconds(15)),
                    $"round {round}: the restarted node forwarded {mix1.Packets.Count - before} of {fresh.Length} fresh packets");
                await Task.Delay(300);
                Assert.True(mix1.Packets.Count == before + fresh.Length,
                    $"round {round}: {mix1.Packets.Count - before - fresh.Length} of {replays.Length} replayed packets were accepted again");
                replaysRefused += replays.Length;
                accepted.AddRange(fresh.Select(p => (p, DateTime.UtcNow)));
            }

            if (round == Kills)
            {
                break;
            }

            // Traffic in bursts, each confirmed once mix1 has all of it; the kill lands at a random moment, mid-burst or not.
            TimeSpan lifetime = TimeSpan.FromMilliseconds(random.Next(400, 2000));
            using var stop = new CancellationTokenSource();
            DateTime killAt = DateTime.UtcNow + lifetime;
            Task<(List<(byte[], DateTime)> Confirmed, int Unconfirmed)> traffic = SendBurstsAsync(network, epoch, link, mix1, stop.Token);
            await Task.Delay(lifetime);
            node.Kill();
            await stop.CancelAsync();
            (List<(byte[], DateTime)> confirmed, int lost) = await traffic;
            accepted.AddRange(confirmed);
            unconfirmed += lost;
            output.WriteLine($"round {round}: killed after {lifetime.TotalMilliseconds:F0} ms; {confirmed.Count} packets confirmed forwarded ({confirmed.Count(c => c.Item2 <= killAt - TimeSpan.FromSeconds(1))} more than 1 s before the kill), {lost} in flight");
        }

        output.WriteLine($"{Kills} kills; {replaysRefused} replays of forwarded packets sent after restarts, all refused; {accepted.Count} packets confirmed in all; {unconfirmed} unconfirmed (in flight at a kill)");
        Assert.True(accepted.Count >= Kills * Burst, $"only {accepted.Count} packets were confirmed: the test did not exercise the node");

        // The filter files the node left are still valid (a last restart above already opened them all).
        Assert.NotEmpty(Directory.EnumerateFiles(network.StateDirectory("mix0"), "replay-*.bin"));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(network.KeysDirectory("mix0"), NodeKeyStore.MixDirectory), "*" + NodeKeyStore.ReplayMarkerExtension));
    }

    private static async Task<(List<(byte[], DateTime)> Confirmed, int Unconfirmed)> SendBurstsAsync(LocalNetwork network, long epoch, InjectorLink link, RecordingPeer mix1, CancellationToken stop)
    {
        var confirmed = new List<(byte[], DateTime)>();
        int sent = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                int baseline = mix1.Packets.Count;
                byte[][] burst = [.. Enumerable.Range(0, Burst).Select(_ => NewPacket(network, epoch))];
                foreach (byte[] packet in burst)
                {
                    if (!await link.SendAsync((byte[])packet.Clone()))
                    {
                        return (confirmed, sent - confirmed.Count);
                    }

                    sent++;
                }

                // Delay 0 at every hop: a burst is forwarded within milliseconds unless the node died.
                if (!await Eventually.TrueAsync(() => stop.IsCancellationRequested || mix1.Packets.Count >= baseline + Burst, TimeSpan.FromSeconds(5)) ||
                    mix1.Packets.Count < baseline + Burst)
                {
                    break;
                }

                DateTime now = DateTime.UtcNow;
                confirmed.AddRange(burst.Select(p => (p, now)));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            // The node was killed mid-send.
        }

        return (confirmed, sent - confirmed.Count);
    }

    private static byte[] NewPacket(LocalNetwork network, long epoch) =>
        PacketFactory.Create(network, epoch, s_route, new byte[32], delayMs: 0).Packet;

    /// <summary>Every private key file of a node (identity, link, mix), by relative path.</summary>
    private static Dictionary<string, byte[]> KeyFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.key", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes);
}
