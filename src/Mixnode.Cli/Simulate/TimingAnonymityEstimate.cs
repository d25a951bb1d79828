namespace Mixnode.Cli.Simulate;

/// <summary>What <see cref="TimingAnonymityEstimator"/> found over a set of sends.</summary>
/// <param name="MeanEntropyBits">Mean over the sends that had a candidate of H_i, in bits; NaN when none had.</param>
/// <param name="MinEntropyBits">The smallest H_i: the worst-hidden send.</param>
/// <param name="Sends">Sends given.</param>
/// <param name="SendsWithoutCandidate">Sends with no delivery in the density's window (left out of the mean).</param>
/// <param name="MeanCandidates">Deliveries per send inside the window, on average.</param>
internal sealed record TimingAnonymityEstimate(
    double MeanEntropyBits,
    double MinEntropyBits,
    int Sends,
    int SendsWithoutCandidate,
    double MeanCandidates)
{
    /// <summary>2^H: the number of equally likely candidates that would hide a message as well.</summary>
    public double EffectiveAnonymitySet => Math.Pow(2, MeanEntropyBits);
}
