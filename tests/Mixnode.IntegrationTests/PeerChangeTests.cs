using System.Net;
using System.Net.Sockets;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.IntegrationTests;

/// <summary>
/// A peer that stays in the network under the same identity but with another link key or address: when the new
/// document comes into force, the node closes its link to the old one (<c>peer_changed</c>) and sends on a link to the
/// new one. Without that, the old link carried on to the old key until it happened to drop.
/// </summary>
public sealed class PeerChangeTests
{
    private static readonly string[] s_route = ["mix0", "mix1", "provider"];

    // The watcher sees the new file within its debounce (0.5 s); the poll (30 s) is the fallback.
    private static readonly TimeSpan s_reload = TimeSpan.FromSeconds(45);

    [Fact]
    public Task A_peer_listed_with_a_new_link_key_and_address_gets_a_new_link_and_the_old_one_closes() => ChangeMix1Async(newKey: true);

    [Fact]
    public Task A_peer_listed_at_a_new_address_gets_a_new_link_and_the_old_one_closes() => ChangeMix1Async(newKey: false);

    private static async Task ChangeMix1Async(bool newKey)
    {
        using var network = ChainTests.CreateNetwork();
        await using RecordingPeer before = RecordingPeer.Start(network, "mix1");
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        await SendAsync(network, link, 5);
        Assert.True(await Eventually.TrueAsync(() => before.Packets.Count == 5, TimeSpan.FromSeconds(10)), $"mix1 (before) got {before.Packets.Count} of 5");

        // mix1 moves: a new port, and maybe a new link key; its identity (so its node id and its mix keys) stays.
        string keyPath = Path.Combine(network.KeysDirectory("mix1"), Mixnode.Node.Keys.NodeKeyStore.LinkKeyFile);
        if (newKey)
        {
            keyPath = Path.Combine(network.Root, "mix1-new-link.key");
            using var key = X25519PrivateKey.Generate();
            KeyFile.WriteX25519(keyPath, key);
        }

        var endPoint = new IPEndPoint(IPAddress.Loopback, FreePort());
        await using RecordingPeer after = RecordingPeer.StartAt(network, keyPath, endPoint);
        Bytes32 linkKey;
        using (X25519PrivateKey key = KeyFile.ReadX25519(keyPath))
        {
            linkKey = Bytes32.From(key.PublicKey);
        }

        Assert.Equal(newKey, linkKey != network["mix1"].LinkKey);
        Republish(network, "mix1", linkKey, endPoint.ToString());

        // mix0 keeps its next layer up, so the new link opens as soon as the document is in force.
        Assert.True(
            await Eventually.TrueAsync(() => after.Handshakes >= 1, s_reload),
            $"no link to mix1's new {(newKey ? "key and address" : "address")}: closed as peer_changed {mix0.Closed("peer_changed")}; the old link still carries mix1's packets");
        Assert.True(await Eventually.TrueAsync(() => mix0.Closed("peer_changed") >= 1, TimeSpan.FromSeconds(10)), "the old link closed as peer_changed");

        await SendAsync(network, link, 5);
        Assert.True(await Eventually.TrueAsync(() => after.Packets.Count == 5, TimeSpan.FromSeconds(10)), $"mix1 (after) got {after.Packets.Count} of 5; before got {before.Packets.Count - 5} more");
        Assert.Equal(5, before.Packets.Count);
    }

    private static async Task SendAsync(LocalNetwork network, InjectorLink link, int count)
    {
        long epoch = ChainTests.CurrentEpoch(network);
        for (int i = 0; i < count; i++)
        {
            (byte[] packet, _) = PacketFactory.Create(network, epoch, s_route, new byte[32], delayMs: 0);
            Assert.True(await link.SendAsync(packet), "link to mix0 open");
        }
    }

    /// <summary>Signs and installs a document like the current one in which <paramref name="name"/> has another link key and address.</summary>
    private static void Republish(LocalNetwork network, string name, Bytes32 linkKey, string address)
    {
        var authority = Bytes32.From(KeyFile.ReadPublic(network.AuthorityPublicPath, KeyType.Ed25519));
        NetworkDocument current = SignedNetworkDocument.Verify(File.ReadAllBytes(network.TopologyPath), authority);
        NodeDescriptor Moved(NodeDescriptor n) => n.Name != name ? n
            : new NodeDescriptor(n.Name, n.IdentityKey, linkKey, [address, .. n.Addresses.Skip(1)], n.Role, n.Layer, n.MixKeys);
        var next = new NetworkDocument(
            current.EpochPeriod,
            current.Geometry,
            current.Mixing,
            current.EpochsCovered,
            current.Providers.Select(Moved),
            current.Layers.Select(layer => layer.Select(Moved)),
            current.Epoch);
        using NSec.Cryptography.Key key = KeyFile.ReadEd25519(Path.Combine(network.Root, "authority", "authority.key"));
        KeyFile.WriteAtomically(network.TopologyPath, SignedNetworkDocument.Sign(next, key), KeyFile.PublicMode);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
