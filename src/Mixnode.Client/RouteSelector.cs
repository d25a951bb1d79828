using System.Security.Cryptography;
using Mixnode.Pki;

namespace Mixnode.Client;

/// <summary>
/// Loopix routes: the sender's provider, one mix of every layer in order, the recipient's provider (3 layers make
/// the 5 hops of the default geometry). Mixes are drawn uniformly with the CSPRNG: a predictable choice would let
/// an observer narrow down which packets belong together.
/// </summary>
internal sealed class RouteSelector
{
    private readonly NetworkTopology _topology;

    public RouteSelector(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _topology = topology;
    }

    /// <summary>Hops of every route: two providers around one mix per layer.</summary>
    public int RouteLength => _topology.Layers.Length + 2;

    /// <summary>A fresh route from <paramref name="senderProvider"/> to <paramref name="recipientProvider"/>.</summary>
    public NodeDescriptor[] Select(NodeDescriptor senderProvider, NodeDescriptor recipientProvider)
    {
        ArgumentNullException.ThrowIfNull(senderProvider);
        ArgumentNullException.ThrowIfNull(recipientProvider);
        if (senderProvider.Role != NodeRole.Provider || recipientProvider.Role != NodeRole.Provider)
        {
            throw new ArgumentException("routes start and end at providers");
        }

        var route = new NodeDescriptor[RouteLength];
        route[0] = senderProvider;
        for (int layer = 0; layer < _topology.Layers.Length; layer++)
        {
            var mixes = _topology.Layers[layer];
            route[layer + 1] = mixes[RandomNumberGenerator.GetInt32(mixes.Length)];
        }

        route[^1] = recipientProvider;
        return route;
    }

    /// <summary>A provider drawn uniformly, e.g. for a new client that has none yet.</summary>
    public NodeDescriptor RandomProvider() => _topology.Providers[RandomNumberGenerator.GetInt32(_topology.Providers.Length)];
}
