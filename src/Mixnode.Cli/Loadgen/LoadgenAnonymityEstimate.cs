namespace Mixnode.Cli.Loadgen;

/// <summary>What <see cref="LoadgenAnonymity"/> found.</summary>
/// <param name="Bits">Mean entropy of the posterior over sends, per scored delivery.</param>
/// <param name="CandidatesMean">Sends inside the delay density's window of a delivery, on average.</param>
/// <param name="Scored">Deliveries scored.</param>
/// <param name="ShiftSeconds">The fixed network latency the density was shifted by.</param>
internal sealed record LoadgenAnonymityEstimate(double Bits, double CandidatesMean, int Scored, double ShiftSeconds);
