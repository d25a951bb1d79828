namespace Mixnode.Cli.Testnet;

/// <summary>What <see cref="TestnetGenerator"/> wrote: the shared files and every node, providers first.</summary>
internal sealed record TestnetLayout(
    string Directory,
    string TopologyPath,
    string AuthorityKeyPath,
    string AuthorityPublicKeyPath,
    IReadOnlyList<TestnetNode> Nodes)
{
    public string NodesFilePath => Path.Combine(Directory, "nodes.json");
}
