namespace Mixnode.Pki;

/// <summary>
/// The timed dynamic pool's settings: every <see cref="Interval"/> (zero: never by the clock), or as soon as
/// <see cref="Threshold"/> packets wait (zero: never by count), the pool sends a random <see cref="Fraction"/> of the
/// packets beyond <see cref="MinPool"/>. The minimum pool is what keeps a flush from emptying the mix: a packet may
/// stay for several rounds, so an observer cannot tie a departure to the round it came in.
/// </summary>
internal sealed record PoolParameters
{
    /// <summary>The most packets a pool setting may ask a mix to keep back (a mix holds at most its queue bound anyway).</summary>
    public const int MaxMinPool = 1_000_000;

    /// <param name="names">How the settings are spelled where they came from, for the error messages; the document's by default.</param>
    public PoolParameters(TimeSpan interval, int threshold, int minPool, double fraction, PoolSettingNames? names = null)
    {
        names ??= PoolSettingNames.Document;
        if (interval < TimeSpan.Zero || interval > TimeSpan.FromHours(1))
        {
            throw new TopologyException($"{names.Interval} must be between 0 and one hour, got {interval.TotalMilliseconds}");
        }

        if (threshold < 0 || threshold > MaxMinPool + 1_000_000)
        {
            throw new TopologyException($"{names.Threshold} must be between 0 and 2,000,000, got {threshold}");
        }

        if (interval == TimeSpan.Zero && threshold == 0)
        {
            throw new TopologyException($"{names.Interval} must be above 0 or {names.Threshold} above 0 (with both 0 the pool would never send)");
        }

        if (minPool < 0 || minPool > MaxMinPool)
        {
            throw new TopologyException($"{names.MinPool} must be between 0 and {MaxMinPool}, got {minPool}");
        }

        if (threshold != 0 && threshold <= minPool)
        {
            throw new TopologyException($"{names.Threshold} ({threshold}) must be above {names.MinPool} ({minPool}), or a pool at its threshold would send nothing");
        }

        if (!(fraction > 0 && fraction <= 1))
        {
            throw new TopologyException($"{names.Fraction} must be in (0, 1], got {fraction}");
        }

        Interval = interval;
        Threshold = threshold;
        MinPool = minPool;
        Fraction = fraction;
    }

    /// <summary>The testnet's pool: a flush every 100 ms keeps 20 back and sends 70 % of the rest (docs/anonymity.md).</summary>
    public static PoolParameters Default { get; } = new(TimeSpan.FromMilliseconds(100), 0, 20, 0.7);

    public TimeSpan Interval { get; }

    public int Threshold { get; }

    public int MinPool { get; }

    public double Fraction { get; }

    /// <summary>How many of <paramref name="waiting"/> packets one flush sends.</summary>
    public int SendCount(int waiting)
    {
        int beyond = waiting - MinPool;
        if (beyond <= 0)
        {
            return 0;
        }

        // At least one, so a pool just above its minimum still drains; never more than what is beyond the minimum. The
        // nudge makes a product that is whole in decimal count as whole (0.7 × 90 is 62.99999999999999 in binary): the
        // fraction an operator writes is the one applied, and the simulator (docs/anonymity.md) counts the same way.
        return Math.Clamp((int)Math.Floor((Fraction * beyond) + 1e-9), 1, beyond);
    }
}
