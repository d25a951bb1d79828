using System.Security.Cryptography;
using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Three nodes in a chain on loopback (mix layer 0 → mix layer 1 → provider) with the test as a fourth
/// topology member that injects packets into the first mix.
/// </summary>
public sealed class ChainTests
{
    private static readonly string[] s_route = ["mix0", "mix1", "provider"];

    [Fact]
    public async Task Thousand_packets_cross_the_chain_and_arrive_byte_identical()
    {
        using var network = CreateNetwork();
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=count");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        long epoch = CurrentEpoch(network);

        byte[] recipient = RandomNumberGenerator.GetBytes(32);
        var sent = new HashSet<string>();
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        for (int i = 0; i < 1000; i++)
        {
            (byte[] packet, byte[] message) = PacketFactory.Create(network, epoch, s_route, recipient, delayMs: (uint)(i % 3));
            sent.Add(Convert.ToHexString(message));
            Assert.True(await link.SendAsync(packet));
        }

        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count >= 1000, TimeSpan.FromSeconds(60)), $"delivered {provider.Delivered.Count} of 1000");
        var received = provider.Delivered.Select(Convert.ToHexString).ToHashSet();
        Assert.Equal(1000, provider.Delivered.Count);
        Assert.True(sent.SetEquals(received), "every delivered message is one that was sent, byte for byte");
    }

    [Fact]
    public async Task A_replayed_packet_is_dropped_after_its_first_pass()
    {
        using var network = CreateNetwork();
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", "Mixnode:Delivery:Sink=count");
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1");
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        long epoch = CurrentEpoch(network);

        (byte[] packet, _) = PacketFactory.Create(network, epoch, s_route, new byte[32], delayMs: 0);
        (byte[] fresh, _) = PacketFactory.Create(network, epoch, s_route, new byte[32], delayMs: 0);
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        Assert.True(await link.SendAsync((byte[])packet.Clone()));
        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count == 1, TimeSpan.FromSeconds(10)));

        Assert.True(await link.SendAsync((byte[])packet.Clone()));
        Assert.True(await link.SendAsync(fresh));
        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count == 2 && mix0.Dropped("replay") == 1, TimeSpan.FromSeconds(10)));
        await Task.Delay(200);
        Assert.Equal(2, provider.Delivered.Count);
        Assert.Equal(1, mix0.Dropped("replay"));
    }

    [Fact]
    public async Task A_peer_with_a_link_key_outside_the_topology_is_refused()
    {
        using var network = CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");

        using var stranger = Mixnode.Sphinx.Crypto.X25519PrivateKey.Generate();
        var strangerCopy = new Mixnode.Sphinx.Crypto.X25519PrivateKey(Export(stranger));
        InjectorLink? link = await InjectorLink.ConnectAsync(network.EndPoint("mix0"), strangerCopy, network["mix0"].LinkKey.AsReadOnlySpan().ToArray(), network.Geometry);
        if (link is not null)
        {
            // The initiator finishes its side first; the node refuses on reading message 3 and closes.
            Assert.True(await Eventually.TrueAsync(() => link.Session.CloseReason is not null || mix0.Closed("unknown_peer") == 1, TimeSpan.FromSeconds(5)));
            await link.DisposeAsync();
        }

        Assert.True(await Eventually.TrueAsync(() => mix0.Closed("unknown_peer") == 1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_node_that_presents_an_unexpected_link_key_is_refused_by_the_initiator()
    {
        using var network = CreateNetwork();
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        X25519PrivateKeyFile(network, "injector", out var key);

        // Expect mix1's key from the node listening as mix0: the initiator stops before revealing itself.
        InjectorLink? link = await InjectorLink.ConnectAsync(network.EndPoint("mix0"), key, network["mix1"].LinkKey.AsReadOnlySpan().ToArray(), network.Geometry);
        Assert.Null(link);
    }

    internal static LocalNetwork CreateNetwork() =>
        LocalNetwork.Create(("mix0", "mix", 0), ("mix1", "mix", 1), ("provider", "provider", -1), ("injector", "provider", -1));

    internal static long CurrentEpoch(LocalNetwork network) => new EpochClock(TimeProvider.System).Current;

    private static byte[] Export(Mixnode.Sphinx.Crypto.X25519PrivateKey key)
    {
        byte[] raw = new byte[32];
        key.ExportPrivateKey(raw);
        return raw;
    }

    private static void X25519PrivateKeyFile(LocalNetwork network, string member, out Mixnode.Sphinx.Crypto.X25519PrivateKey key) =>
        key = KeyFile.ReadX25519(Path.Combine(network.KeysDirectory(member), NodeKeyStore.LinkKeyFile));
}
