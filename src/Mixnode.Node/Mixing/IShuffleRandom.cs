namespace Mixnode.Node.Mixing;

/// <summary>
/// The randomness that decides departure order and pool selection. A node uses <see cref="CsprngShuffleRandom"/>: an
/// observer who could predict it could tell which output was which input. Tests pass a seeded one to fix the order.
/// </summary>
internal interface IShuffleRandom
{
    /// <summary>Uniform in [0, <paramref name="exclusiveMax"/>); <paramref name="exclusiveMax"/> is at least 1.</summary>
    int NextInt(int exclusiveMax);
}

/// <summary>Fisher–Yates over a span: every order equally likely, given uniform <see cref="IShuffleRandom.NextInt"/>.</summary>
internal static class Shuffle
{
    public static void InPlace<T>(Span<T> items, IShuffleRandom random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// Moves a uniformly random subset of <paramref name="count"/> items to the front, in uniformly random order
    /// (the first <paramref name="count"/> steps of a forward Fisher–Yates): what a pool flush sends.
    /// </summary>
    public static void SelectToFront<T>(Span<T> items, int count, IShuffleRandom random)
    {
        for (int i = 0; i < count; i++)
        {
            int j = i + random.NextInt(items.Length - i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
