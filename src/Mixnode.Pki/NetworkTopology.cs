using System.Collections.Frozen;
using System.Collections.Immutable;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Pki;

/// <summary>
/// The verified network as the node uses it: immutable, with lookups built once so that links and workers can ask
/// "who is this node id / this link key" without locks. A reload makes a new instance.
/// </summary>
internal sealed class NetworkTopology
{
    private readonly FrozenDictionary<Bytes32, NodeDescriptor> _byId;
    private readonly FrozenDictionary<Bytes32, NodeDescriptor> _byLinkKey;

    public NetworkTopology(NetworkDocument document, Bytes32 authorityKey)
    {
        ArgumentNullException.ThrowIfNull(document);
        Document = document;
        AuthorityKey = authorityKey;
        _byId = document.AllNodes.ToFrozenDictionary(n => n.Id);
        _byLinkKey = document.AllNodes.ToFrozenDictionary(n => n.LinkKey);
    }

    public NetworkDocument Document { get; }

    /// <summary>The Ed25519 key that signed the document.</summary>
    public Bytes32 AuthorityKey { get; }

    public SphinxGeometry Geometry => Document.Geometry;

    /// <summary>Mean per-hop delay (1/μ) that clients draw NodeDelay from.</summary>
    public TimeSpan MeanDelay => Document.Mixing.MeanDelay;

    public MixingParameters Mixing => Document.Mixing;

    public TimeSpan EpochPeriod => Document.EpochPeriod;

    public EpochRange EpochsCovered => Document.EpochsCovered;

    public ImmutableArray<NodeDescriptor> Providers => Document.Providers;

    public ImmutableArray<ImmutableArray<NodeDescriptor>> Layers => Document.Layers;

    public int NodeCount => _byId.Count;

    public bool TryGetNode(Bytes32 id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeDescriptor? node) =>
        _byId.TryGetValue(id, out node);

    /// <summary>Lookup by a 32-byte id taken from a routing command; false for any other length.</summary>
    public bool TryGetNode(ReadOnlySpan<byte> id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeDescriptor? node)
    {
        node = null;
        return id.Length == Bytes32.Size && _byId.TryGetValue(Bytes32.From(id), out node);
    }

    /// <summary>The node whose Noise static key is <paramref name="linkKey"/>: how an incoming link is authenticated.</summary>
    public bool TryGetNodeByLinkKey(ReadOnlySpan<byte> linkKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NodeDescriptor? node)
    {
        node = null;
        return linkKey.Length == Bytes32.Size && _byLinkKey.TryGetValue(Bytes32.From(linkKey), out node);
    }

    /// <summary>The mix public key the node published for <paramref name="epoch"/>, if the document has it.</summary>
    public bool TryGetMixKey(Bytes32 id, long epoch, out Bytes32 mixKey)
    {
        mixKey = default;
        return _byId.TryGetValue(id, out NodeDescriptor? node) && node.MixKeys.TryGetValue(epoch, out mixKey);
    }

    /// <summary>
    /// The nodes a well-formed route goes to after <paramref name="node"/>: a provider sends into the first layer, a mix
    /// into the layer after its own, the last layer to the providers.
    /// </summary>
    public ImmutableArray<NodeDescriptor> NextHopsOf(NodeDescriptor node)
    {
        ArgumentNullException.ThrowIfNull(node);
        int next = node.Role == NodeRole.Provider ? 0 : node.Layer + 1;
        return next < Layers.Length ? Layers[next] : Providers;
    }
}
