using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Keys;

/// <summary>A node's Sphinx key for one epoch. Owned by the <see cref="MixKeyRing"/>, which disposes it after retirement.</summary>
internal sealed class MixKey : IDisposable
{
    public MixKey(long epoch, X25519PrivateKey privateKey)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        Epoch = epoch;
        PrivateKey = privateKey;
        PublicKey = Bytes32.From(privateKey.PublicKey);
    }

    public long Epoch { get; }

    public X25519PrivateKey PrivateKey { get; }

    public Bytes32 PublicKey { get; }

    public void Dispose() => PrivateKey.Dispose();

    public override string ToString() => $"mix key of epoch {Epoch}";
}
