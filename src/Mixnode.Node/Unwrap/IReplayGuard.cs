using Mixnode.Sphinx;

namespace Mixnode.Node.Unwrap;

/// <summary>Remembers the replay tags a node accepted under each mix key.</summary>
internal interface IReplayGuard
{
    /// <summary>True when <paramref name="tag"/> is new under the key of <paramref name="epoch"/> (and is now remembered); false for a replay.</summary>
    bool TryAccept(long epoch, in Bytes32 tag);
}
