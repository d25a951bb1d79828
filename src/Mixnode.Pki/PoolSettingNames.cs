namespace Mixnode.Pki;

/// <summary>
/// How the pool's four settings are spelled where an operator wrote them — the network document, the node's
/// configuration, a command line — so that <see cref="PoolParameters"/>' errors name the setting as it was written.
/// </summary>
internal sealed record PoolSettingNames(string Interval, string Threshold, string MinPool, string Fraction)
{
    public static PoolSettingNames Document { get; } = new("mixing.pool.interval_ms", "mixing.pool.threshold", "mixing.pool.min_pool", "mixing.pool.fraction");

    public static PoolSettingNames Configuration { get; } = new("Mixnode:Mixing:PoolInterval", "Mixnode:Mixing:PoolThreshold", "Mixnode:Mixing:PoolMinPool", "Mixnode:Mixing:PoolFraction");
}
