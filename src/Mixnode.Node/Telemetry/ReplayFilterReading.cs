namespace Mixnode.Node.Telemetry;

/// <summary>One open replay filter's fill (entries over capacity) and its estimated false-positive rate at that fill.</summary>
public readonly record struct ReplayFilterReading(ReplayFilterKey Key, double Fill, double FalsePositiveRate);
