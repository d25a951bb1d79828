using Mixnode.Pki;

namespace Mixnode.Node.Topology;

/// <summary>
/// Where the node's network view comes from: a hand-signed file (<see cref="TopologyProvider"/>) or the directory
/// authorities' consensus (<see cref="ConsensusFollower"/>). The node, its outbound pool, its loops, the listener's
/// peer check and readiness all read this one source, so they never disagree about who is in the network.
/// </summary>
internal interface ITopologySource
{
    /// <summary>Raised after <see cref="Current"/> changed (not for the first one), on a timer or background thread.</summary>
    event Action<NetworkTopology>? Changed;

    /// <summary>The topology in force; read it once per decision, it may be replaced at any time.</summary>
    NetworkTopology Current { get; }

    /// <summary>
    /// True when the node follows voting authorities: then a node missing from the document waits (not ready) to be
    /// listed instead of refusing to start, since its descriptor may simply have missed a deadline.
    /// </summary>
    bool FollowsAuthorities { get; }

    /// <summary>Where the document comes from, for error messages (a file path, or the authorities).</summary>
    string Description { get; }
}
