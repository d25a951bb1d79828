namespace Mixnode.Node.Telemetry;

/// <summary>
/// The node-wide values its gauges export, read together at each collection. Null leaves a gauge out of that
/// collection (no epoch finished yet); <paramref name="ReplayFilters"/> holds one reading per open filter (none
/// before the first packet opens one).
/// </summary>
public readonly record struct NodeGauges(long? Epoch, IReadOnlyList<ReplayFilterReading> ReplayFilters, double? LoopReturnRatio, int PeersUp, int PeersDown);
