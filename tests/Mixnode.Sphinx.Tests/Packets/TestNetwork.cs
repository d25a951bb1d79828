using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Sphinx.Tests.Packets;

/// <summary>Nodes with fresh keys and random ids, and routes through them, for round-trip tests.</summary>
internal sealed class TestNetwork : IDisposable
{
    private readonly X25519PrivateKey[] _keys;
    private readonly byte[][] _ids;

    public TestNetwork(int nodes, int seed = 1)
    {
        var random = new Random(seed);
        _keys = new X25519PrivateKey[nodes];
        _ids = new byte[nodes][];
        for (int i = 0; i < nodes; i++)
        {
            _keys[i] = X25519PrivateKey.Generate();
            _ids[i] = new byte[SphinxGeometry.NodeIdLength];
            random.NextBytes(_ids[i]);
        }
    }

    public static byte[] RecipientId { get; } = Convert.FromHexString("ccaf6125a610bd298ab8a15f5e8fef72b46ca7a8db936d6b2400e2742531f80b");

    public static byte[] SurbId { get; } = Convert.FromHexString("479ed2fe89fb26e2272f2899eb0e2d2f");

    public X25519PrivateKey Key(int node) => _keys[node];

    public byte[] Id(int node) => _ids[node];

    /// <summary>A route over nodes 0..hops-1: NodeDelay on each forwarding hop, Recipient (and SURBReply) on the last.</summary>
    public PathHop[] Route(int hops, bool surbReply = false)
    {
        var path = new PathHop[hops];
        for (int i = 0; i < hops; i++)
        {
            RoutingCommands commands = i < hops - 1
                ? RoutingCommands.Delay((uint)(1000 + i))
                : RoutingCommands.ToRecipient(RecipientId);
            if (i == hops - 1 && surbReply)
            {
                commands = commands.WithSurbReply(SurbId);
            }

            path[i] = new PathHop(_ids[i], _keys[i].PublicKey, commands);
        }

        return path;
    }

    /// <summary>Unwraps at every hop of a route over nodes 0..hops-1, asserting each forwards to the next; returns the last hop's result.</summary>
    public UnwrapResult UnwrapAll(SphinxGeometry geometry, int hops, byte[] packet, out UnwrappedPacket last)
    {
        last = default;
        for (int hop = 0; hop < hops; hop++)
        {
            UnwrapResult result = SphinxUnwrapper.Unwrap(geometry, _keys[hop], packet, out last);
            if (result != UnwrapResult.Success || hop == hops - 1)
            {
                return result;
            }

            Assert.Equal(UnwrappedKind.Forward, last.Kind);
            Assert.Equal(_ids[hop + 1], last.Commands.NextNodeId.AsReadOnlySpan().ToArray());
            Assert.Equal((uint)(1000 + hop), last.Commands.NodeDelayMs);
        }

        return UnwrapResult.Success;
    }

    public void Dispose()
    {
        foreach (X25519PrivateKey key in _keys)
        {
            key.Dispose();
        }
    }
}
