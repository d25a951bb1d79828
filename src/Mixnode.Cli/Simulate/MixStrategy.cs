namespace Mixnode.Cli.Simulate;

/// <summary>How the simulated mix decides when a packet leaves.</summary>
internal enum MixStrategy
{
    /// <summary>Stop-and-go: an independent exponential delay per packet (what the node does).</summary>
    Poisson,

    /// <summary>A timed dynamic pool mix with an optional threshold.</summary>
    TimedPool,
}
