using System.Collections.Concurrent;
using System.Security.Cryptography;
using Mixnode.Pki;

namespace Mixnode.Authority.Protocol;

/// <summary>
/// Verified descriptor uploads by the SHA-256 of their bytes. The same upload reaches an authority directly and
/// inside every other authority's vote; verifying its signature once instead of once per vote keeps a 1,000-node
/// consensus well under a second.
/// </summary>
internal sealed class DescriptorCache
{
    public const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, SignedDescriptor> _verified = new(StringComparer.Ordinal);

    public SignedDescriptor Open(ReadOnlyMemory<byte> raw)
    {
        string hash = Convert.ToBase64String(SHA256.HashData(raw.Span));
        if (_verified.TryGetValue(hash, out SignedDescriptor? known))
        {
            return known;
        }

        SignedDescriptor opened = SignedDescriptor.Open(raw);
        if (_verified.Count >= MaxEntries)
        {
            _verified.Clear();
        }

        _verified[hash] = opened;
        return opened;
    }

    /// <summary>Forgets uploads for epochs before <paramref name="epoch"/>.</summary>
    public void DropBefore(long epoch)
    {
        foreach (KeyValuePair<string, SignedDescriptor> entry in _verified)
        {
            if (entry.Value.Epoch < epoch)
            {
                _verified.TryRemove(entry.Key, out _);
            }
        }
    }
}
