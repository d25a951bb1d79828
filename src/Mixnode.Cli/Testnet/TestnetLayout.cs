namespace Mixnode.Cli.Testnet;

/// <summary>What <see cref="TestnetGenerator"/> wrote: the shared files and every node, providers first.</summary>
internal sealed record TestnetLayout(
    string Directory,
    string TopologyPath,
    string AuthorityKeyPath,
    string AuthorityPublicKeyPath,
    IReadOnlyList<TestnetNode> Nodes)
{
    /// <summary>Written only once every node is ready: scripts wait for this file (see <see cref="NodesFile"/>).</summary>
    public string NodesFilePath => NodesFileIn(Directory);

    /// <summary>
    /// The same list while the nodes start, with the pid of each one started so far: what to kill should the testnet
    /// itself be killed before nodes.json exists. Removed once nodes.json is written.
    /// </summary>
    public string StartingNodesFilePath => StartingNodesFileIn(Directory);

    public static string NodesFileIn(string directory) => Path.Combine(directory, "nodes.json");

    public static string StartingNodesFileIn(string directory) => Path.Combine(directory, "nodes.starting.json");
}
