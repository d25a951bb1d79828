using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// One generated node: where its files are and the addresses it listens on. <see cref="ClientAddress"/> is the
/// provider's second descriptor address, where clients connect; mixes have none. <see cref="ManagementAddress"/> is
/// its own management endpoint (<c>Mixnode:Management:ListenAddress</c>): every node on the machine needs a distinct
/// one, since the node's default port would be the same for all of them. A directory authority of the network
/// (<see cref="IsAuthority"/>) is started and supervised like a node: <see cref="Address"/> is its HTTP API, its
/// <see cref="Role"/> and <see cref="Layer"/> mean nothing; a mix's <see cref="Layer"/> is the one it asked for in
/// its descriptor, which a consensus of the authorities may change.
/// </summary>
internal sealed record TestnetNode(
    string Name,
    NodeRole Role,
    int? Layer,
    string Address,
    string? ClientAddress,
    string Directory,
    string ManagementAddress,
    bool IsAuthority = false)
{
    public string KeysDirectory => Path.Combine(Directory, "keys");

    public string StateDirectory => Path.Combine(Directory, "state");

    public string ConfigPath => Path.Combine(Directory, "appsettings.json");

    public string LogPath => Path.Combine(Directory, IsAuthority ? "authority.log" : "node.log");

    public string RoleName => IsAuthority ? "authority" : Role == NodeRole.Provider ? "provider" : "mix";

    /// <summary>The authority's own key files (authority.key, authority.pub).</summary>
    public string AuthorityKeyPath => Path.Combine(KeysDirectory, "authority.key");

    public string AuthorityPublicKeyPath => Path.Combine(KeysDirectory, "authority.pub");

    public Uri MetricsUrl => new($"http://{ManagementAddress}/metrics");

    public Uri ReadyUrl => new($"http://{ManagementAddress}/health/ready");
}
