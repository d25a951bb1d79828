namespace Mixnode.Node.Topology;

/// <summary>
/// The network-wide mixing settings: the mean of the per-hop Poisson delay (1/μ) that clients draw NodeDelay from,
/// and λ, the rate at which each node sends its own loop cover packets.
/// </summary>
internal sealed record MixingParameters
{
    public MixingParameters(double meanDelayMs, double loopRatePerSecond)
    {
        if (!double.IsFinite(meanDelayMs) || meanDelayMs <= 0 || meanDelayMs > TimeSpan.FromHours(1).TotalMilliseconds)
        {
            throw new TopologyException($"mixing.mean_delay_ms must be more than 0 and at most one hour, got {meanDelayMs}");
        }

        if (!double.IsFinite(loopRatePerSecond) || loopRatePerSecond < 0 || loopRatePerSecond > 1e6)
        {
            throw new TopologyException($"mixing.loop_rate_per_sec must be between 0 and 1e6, got {loopRatePerSecond}");
        }

        MeanDelayMs = meanDelayMs;
        LoopRatePerSecond = loopRatePerSecond;
    }

    public const double DefaultMeanDelayMs = 50;

    public const double DefaultLoopRatePerSecond = 0.5;

    public double MeanDelayMs { get; }

    public double LoopRatePerSecond { get; }

    public TimeSpan MeanDelay => TimeSpan.FromMilliseconds(MeanDelayMs);
}
