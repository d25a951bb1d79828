using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// One generated node: where its files are and the addresses it listens on. <see cref="ClientAddress"/> is the
/// provider's second descriptor address, where clients connect; mixes have none. <see cref="ManagementAddress"/> is
/// its own management endpoint (<c>Mixnode:Management:ListenAddress</c>): every node on the machine needs a distinct
/// one, since the node's default port would be the same for all of them.
/// </summary>
internal sealed record TestnetNode(
    string Name,
    NodeRole Role,
    int? Layer,
    string Address,
    string? ClientAddress,
    string Directory,
    string ManagementAddress)
{
    public string KeysDirectory => Path.Combine(Directory, "keys");

    public string StateDirectory => Path.Combine(Directory, "state");

    public string ConfigPath => Path.Combine(Directory, "appsettings.json");

    public string LogPath => Path.Combine(Directory, "node.log");

    public string RoleName => Role == NodeRole.Provider ? "provider" : "mix";

    public Uri MetricsUrl => new($"http://{ManagementAddress}/metrics");

    public Uri ReadyUrl => new($"http://{ManagementAddress}/health/ready");
}
