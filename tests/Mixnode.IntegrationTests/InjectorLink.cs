using System.Net;
using System.Net.Sockets;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.IntegrationTests;

/// <summary>The test's own outbound link to a node, made with the same LinkSession the nodes use.</summary>
internal sealed class InjectorLink : IAsyncDisposable
{
    private readonly LinkSession _session;
    private readonly X25519PrivateKey _key;

    private InjectorLink(LinkSession session, X25519PrivateKey key)
    {
        _session = session;
        _key = key;
    }

    public LinkSession Session => _session;

    /// <summary>Connects with <paramref name="linkKey"/> and expects the node to present <paramref name="expectedPeerKey"/>; null when the handshake fails.</summary>
    public static async Task<InjectorLink?> ConnectAsync(IPEndPoint endPoint, X25519PrivateKey linkKey, ReadOnlyMemory<byte> expectedPeerKey, SphinxGeometry geometry)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint);
        var connection = new SocketPipeConnection(socket, 1 << 20);
        var settings = new LinkSessionSettings(WireFraming.ForMixLink(geometry), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(15), LinkProtocol.DefaultRekeyInterval);
        var session = new LinkSession(connection, settings, TimeProvider.System, initiator: true);
        session.Start();
        if (!await session.HandshakeAsync(linkKey, key => key.Span.SequenceEqual(expectedPeerKey.Span)))
        {
            await session.DisposeAsync();
            linkKey.Dispose();
            return null;
        }

        return new InjectorLink(session, linkKey);
    }

    /// <summary>Connects as the topology member whose keys are in <paramref name="keysDirectory"/>, retrying while the node starts.</summary>
    public static async Task<InjectorLink> ConnectAsMemberAsync(LocalNetwork network, string member, string node, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                X25519PrivateKey key = KeyFile.ReadX25519(Path.Combine(network.KeysDirectory(member), NodeKeyStore.LinkKeyFile));
                InjectorLink? link = await ConnectAsync(network.EndPoint(node), key, network[node].LinkKey.AsReadOnlySpan().ToArray(), network.Geometry);
                if (link is not null)
                {
                    return link;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"could not open a link to {node} within {timeout}");
            }

            await Task.Delay(100);
        }
    }

    public ValueTask<bool> SendAsync(byte[] packet) => _session.SendPacketAsync(packet);

    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();
        _key.Dispose();
    }
}
