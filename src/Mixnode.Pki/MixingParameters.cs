using System.Text.Json;

namespace Mixnode.Pki;

/// <summary>
/// The network-wide mixing settings, the same for every mix and every client of a network (a client that shaped
/// its traffic differently would stand out): the strategy and its parameters, the mean of the per-hop Poisson delay
/// (1/μ) that clients draw NodeDelay from, the cap on a requested delay, and the Loopix cover rates — λM, each node's
/// own loops; λP and λL, each client's payload-or-drop and loop streams.
/// </summary>
internal sealed record MixingParameters
{
    /// <summary>
    /// The longest NodeDelay a mix honours, in means: e^-20 (2·10^-9) of honest Exp(mean) draws exceed it, and
    /// clients cut their draws there, so no honest packet is lost to it; yet a client asking for long delays can hold
    /// a queue slot for at most 20 means (1 s at the default 50 ms) instead of the minutes it could otherwise ask for.
    /// </summary>
    public const double MaxDelayInMeans = 20;

    public MixingParameters(
        double meanDelayMs,
        double loopRatePerSecond,
        MixingStrategy strategy = MixingStrategy.Poisson,
        PoolParameters? pool = null,
        double clientPayloadRatePerSecond = DefaultClientPayloadRatePerSecond,
        double clientLoopRatePerSecond = DefaultClientLoopRatePerSecond)
    {
        if (!double.IsFinite(meanDelayMs) || meanDelayMs <= 0 || meanDelayMs > TimeSpan.FromHours(1).TotalMilliseconds)
        {
            throw new TopologyException($"mixing.mean_delay_ms must be more than 0 and at most one hour, got {meanDelayMs}");
        }

        CheckRate(loopRatePerSecond, "mixing.loop_rate_per_sec");
        CheckRate(clientPayloadRatePerSecond, "mixing.client_payload_rate_per_sec");
        CheckRate(clientLoopRatePerSecond, "mixing.client_loop_rate_per_sec");
        if (strategy == MixingStrategy.TimedPool && pool is null)
        {
            throw new TopologyException("mixing.pool is required when mixing.strategy is timed-pool");
        }

        MeanDelayMs = meanDelayMs;
        LoopRatePerSecond = loopRatePerSecond;
        Strategy = strategy;
        Pool = strategy == MixingStrategy.TimedPool ? pool : null;
        ClientPayloadRatePerSecond = clientPayloadRatePerSecond;
        ClientLoopRatePerSecond = clientLoopRatePerSecond;
    }

    public const double DefaultMeanDelayMs = 50;

    public const double DefaultLoopRatePerSecond = 0.5;

    public const double DefaultClientPayloadRatePerSecond = 2;

    public const double DefaultClientLoopRatePerSecond = 0.5;

    public const double MaxRatePerSecond = 1e6;

    public MixingStrategy Strategy { get; }

    /// <summary>The pool's settings; null unless <see cref="Strategy"/> is <see cref="MixingStrategy.TimedPool"/>.</summary>
    public PoolParameters? Pool { get; }

    public double MeanDelayMs { get; }

    /// <summary>λM: loop packets per second that each node sends through the network and back to itself.</summary>
    public double LoopRatePerSecond { get; }

    /// <summary>λP: a covering client's payload-or-drop stream (a real message when one waits, a drop otherwise).</summary>
    public double ClientPayloadRatePerSecond { get; }

    /// <summary>λL: a covering client's loops through the network back to its own mailbox.</summary>
    public double ClientLoopRatePerSecond { get; }

    public TimeSpan MeanDelay => TimeSpan.FromMilliseconds(MeanDelayMs);

    /// <summary>The cap on a requested per-hop delay (see <see cref="MaxDelayInMeans"/>).</summary>
    public double MaxDelayMs => MeanDelayMs * MaxDelayInMeans;

    /// <summary>What clients put in NodeDelay: Exp(mean) draws under Poisson mixing, nothing under a pool (it ignores them).</summary>
    public bool ClientsDrawDelays => Strategy == MixingStrategy.Poisson;

    /// <summary>The <c>mixing</c> object as documents and votes carry it (always the same bytes for the same values).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("strategy", Strategy.ToName());
        writer.WriteNumber("mean_delay_ms", MeanDelayMs);
        writer.WriteNumber("loop_rate_per_sec", LoopRatePerSecond);
        writer.WriteNumber("client_payload_rate_per_sec", ClientPayloadRatePerSecond);
        writer.WriteNumber("client_loop_rate_per_sec", ClientLoopRatePerSecond);
        if (Pool is { } pool)
        {
            writer.WriteStartObject("pool");
            writer.WriteNumber("interval_ms", pool.Interval.TotalMilliseconds);
            writer.WriteNumber("threshold", pool.Threshold);
            writer.WriteNumber("min_pool", pool.MinPool);
            writer.WriteNumber("fraction", pool.Fraction);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void CheckRate(double rate, string name)
    {
        if (!double.IsFinite(rate) || rate < 0 || rate > MaxRatePerSecond)
        {
            throw new TopologyException($"{name} must be between 0 and 1e6, got {rate}");
        }
    }
}
