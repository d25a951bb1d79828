namespace Mixnode.Node.Telemetry;

/// <summary>
/// The node-wide values its gauges export, read together at each collection. Null leaves a gauge out of that
/// collection (no filter open yet, no epoch finished yet).
/// </summary>
public readonly record struct NodeGauges(long? Epoch, double? ReplayFill, double? ReplayFalsePositive, double? LoopReturnRatio, int PeersUp, int PeersDown);
