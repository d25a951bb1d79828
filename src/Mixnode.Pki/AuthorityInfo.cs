using Mixnode.Sphinx;

namespace Mixnode.Pki;

/// <summary>One directory authority as nodes and clients know it: a name, where its HTTP API listens, its Ed25519 key.</summary>
internal sealed record AuthorityInfo(string Name, string Address, Bytes32 PublicKey)
{
    /// <summary>The base URI of the authority's API (<c>http://host:port/</c>).</summary>
    public Uri BaseUri
    {
        get
        {
            NodeDescriptor.TrySplitAddress(Address, out string host, out int port);
            return new Uri($"http://{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{port}/");
        }
    }
}
