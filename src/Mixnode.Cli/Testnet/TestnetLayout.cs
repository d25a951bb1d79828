namespace Mixnode.Cli.Testnet;

/// <summary>
/// What <see cref="TestnetGenerator"/> wrote: the shared files and every process to run — the directory authorities
/// first (when the network has them), then providers, then mixes. With authorities, <see cref="TopologyPath"/> is
/// where the running testnet keeps a copy of the current consensus, and <see cref="AuthorityPublicKeyPath"/> the
/// first authority's public key (a consensus carries its signature, so tools that check one key keep working).
/// </summary>
internal sealed record TestnetLayout(
    string Directory,
    string TopologyPath,
    string AuthorityKeyPath,
    string AuthorityPublicKeyPath,
    IReadOnlyList<TestnetNode> Nodes)
{
    /// <summary>What clients need to find and check the authorities (addresses, keys, threshold); absent without authorities.</summary>
    public string AuthoritiesFilePath => AuthoritiesFileIn(Directory);

    public bool HasAuthorities => Nodes.Any(n => n.IsAuthority);

    public static string AuthoritiesFileIn(string directory) => Path.Combine(directory, "authorities.json");

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
