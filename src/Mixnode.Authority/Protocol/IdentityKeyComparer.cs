using Mixnode.Sphinx;

namespace Mixnode.Authority.Protocol;

/// <summary>Orders keys by their bytes: the one order every authority uses for lists it signs or hashes.</summary>
internal sealed class IdentityKeyComparer : IComparer<Bytes32>
{
    public static readonly IdentityKeyComparer Instance = new();

    public int Compare(Bytes32 x, Bytes32 y) => x.AsReadOnlySpan().SequenceCompareTo(y.AsReadOnlySpan());
}
