using Mixnode.Node.Mixing;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Returns draws written in the test, and checks each is asked for with the bound the test expects: a hand-computed
/// permutation then pins down both the shuffle's algorithm and which packets it was given, in which order.
/// </summary>
internal sealed class ScriptedShuffleRandom(params (int ExclusiveMax, int Value)[] draws) : IShuffleRandom
{
    private readonly Queue<(int ExclusiveMax, int Value)> _draws = new(draws);

    public bool AllUsed => _draws.Count == 0;

    public int NextInt(int exclusiveMax)
    {
        Assert.True(_draws.TryDequeue(out var draw), $"an unscripted draw NextInt({exclusiveMax})");
        Assert.Equal(draw.ExclusiveMax, exclusiveMax);
        return draw.Value;
    }
}
