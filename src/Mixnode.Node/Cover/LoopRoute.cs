using System.Security.Cryptography;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;

namespace Mixnode.Node.Cover;

/// <summary>
/// The route of a node's own loop (Loopix): onward through the layers after its own, through a provider, through the
/// layers before its own, and back to itself. So the loop crosses every layer once and each link it uses is one real
/// traffic uses too: a provider's loop is provider → layer 0 → … → last layer → itself; a mix of layer k goes
/// layer k+1 … last, a provider, layer 0 … k−1, itself. Each hop is drawn uniformly with the CSPRNG, as clients draw theirs.
/// </summary>
internal static class LoopRoute
{
    /// <summary>The hops after this node, ending with it; empty when the network has no route through other nodes.</summary>
    public static NodeDescriptor[] Select(NetworkTopology topology, NodeDescriptor self)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(self);
        int layers = topology.Layers.Length;
        if (layers == 0 || topology.Providers.IsEmpty)
        {
            return [];
        }

        var route = new List<NodeDescriptor>(layers + 1);
        if (self.Role == NodeRole.Provider)
        {
            for (int layer = 0; layer < layers; layer++)
            {
                route.Add(Pick(topology.Layers[layer]));
            }
        }
        else
        {
            for (int layer = self.Layer + 1; layer < layers; layer++)
            {
                route.Add(Pick(topology.Layers[layer]));
            }

            route.Add(Pick(topology.Providers));
            for (int layer = 0; layer < self.Layer; layer++)
            {
                route.Add(Pick(topology.Layers[layer]));
            }
        }

        route.Add(self);
        return [.. route];
    }

    private static NodeDescriptor Pick(IReadOnlyList<NodeDescriptor> nodes) => nodes[RandomNumberGenerator.GetInt32(nodes.Count)];
}
