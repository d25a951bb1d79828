using Mixnode.Node.Mixing;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Reproducible shuffle randomness: two instances with the same seed draw the same sequence, so a test can compute the
/// departure order it expects by running <see cref="Shuffle"/> on indices with a twin of the mixer's random.
/// </summary>
internal sealed class SeededShuffleRandom(int seed) : IShuffleRandom
{
    private readonly Random _random = new(seed);

    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exclusiveMax, 1);
        return _random.Next(exclusiveMax);
    }
}
