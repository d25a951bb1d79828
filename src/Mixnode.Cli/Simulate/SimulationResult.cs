namespace Mixnode.Cli.Simulate;

/// <summary>What one simulated mix achieved against the global passive adversary.</summary>
/// <param name="EntropyBits">Mean over the scored targets of the adversary's entropy about where each went.</param>
/// <param name="MinEntropyBits">The worst-hidden target's entropy.</param>
/// <param name="Targets">Targets scored.</param>
/// <param name="TargetsLeftOut">Steady-state targets not scored (a pool still holding part of their probability at the end of the run).</param>
/// <param name="Latency">Added latency over the steady-state packets that left the mix.</param>
internal sealed record SimulationResult(
    double EntropyBits,
    double MinEntropyBits,
    int Targets,
    int TargetsLeftOut,
    AddedLatency Latency)
{
    /// <summary>2^H: as many equally likely packets would hide a target as well.</summary>
    public double EffectiveAnonymitySet => Math.Pow(2, EntropyBits);
}
