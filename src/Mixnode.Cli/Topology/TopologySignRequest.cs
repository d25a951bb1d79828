using Mixnode.Pki;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Topology;

/// <summary>The inputs of <c>mixnode topology sign</c>.</summary>
internal sealed record TopologySignRequest(
    string AuthorityKeyPath,
    string OutputPath,
    IReadOnlyList<string> Descriptors,
    SphinxGeometry Geometry,
    double MeanDelayMs,
    double LoopRatePerSecond,
    TimeSpan EpochPeriod,
    MixingStrategy Strategy = MixingStrategy.Poisson,
    PoolParameters? Pool = null);
