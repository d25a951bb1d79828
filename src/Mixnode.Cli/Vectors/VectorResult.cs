namespace Mixnode.Cli.Vectors;

/// <summary>What one case of a vector file came to; <see cref="Reason"/> says why for Fail and Skip.</summary>
internal readonly record struct VectorResult(VectorOutcome Outcome, string? Reason)
{
    public static VectorResult Pass() => new(VectorOutcome.Pass, null);

    public static VectorResult Fail(string reason) => new(VectorOutcome.Fail, reason);

    public static VectorResult Skip(string reason) => new(VectorOutcome.Skip, reason);

    /// <summary>Fails naming the first differing byte, so a mismatch in a long value can be found.</summary>
    public static VectorResult Compare(string what, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (expected.SequenceEqual(actual))
        {
            return Pass();
        }

        if (expected.Length != actual.Length)
        {
            return Fail($"{what}: expected {expected.Length} bytes, got {actual.Length}");
        }

        int at = expected.CommonPrefixLength(actual);
        return Fail($"{what}: differs at byte {at} (expected {expected[at]:x2}, got {actual[at]:x2})");
    }
}
