using Mixnode.Cli.Simulate;

namespace Mixnode.Tools.AnonymityPlot;

/// <summary>One simulated setting: which curve of the plot it belongs to, and what it achieved.</summary>
/// <param name="Series">Legend entry (strategy, settings and rate); points of a series differ in one knob.</param>
/// <param name="Strategy">As on the command line: poisson or timed-pool.</param>
/// <param name="Rate">Arrivals per second.</param>
/// <param name="Settings">The knobs, as <c>mixnode simulate</c> options.</param>
internal sealed record SweepPoint(string Series, string Strategy, double Rate, string Settings, SimulationResult Result);
