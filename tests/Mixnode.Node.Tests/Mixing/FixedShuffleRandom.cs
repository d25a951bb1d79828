using Mixnode.Node.Mixing;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>A draw computed from its bound alone: e.g. <c>max - 1</c> makes Fisher–Yates swap nothing.</summary>
internal sealed class FixedShuffleRandom(Func<int, int> draw) : IShuffleRandom
{
    /// <summary>With it, <see cref="Shuffle.InPlace"/> leaves every item where it is, so a mixer's pre-shuffle order shows.</summary>
    public static FixedShuffleRandom NoSwap { get; } = new(max => max - 1);

    public int NextInt(int exclusiveMax) => draw(exclusiveMax);
}
