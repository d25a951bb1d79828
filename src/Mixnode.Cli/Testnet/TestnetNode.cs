using Mixnode.Node.Keys;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// One generated node: where its files are and the addresses it listens on. <see cref="ClientAddress"/> is the
/// provider's second descriptor address, where clients connect; mixes have none.
/// </summary>
internal sealed record TestnetNode(
    string Name,
    NodeRole Role,
    int? Layer,
    string Address,
    string? ClientAddress,
    string Directory)
{
    public string KeysDirectory => Path.Combine(Directory, "keys");

    public string StateDirectory => Path.Combine(Directory, "state");

    public string ConfigPath => Path.Combine(Directory, "appsettings.json");

    public string LogPath => Path.Combine(Directory, "node.log");

    public string RoleName => Role == NodeRole.Provider ? "provider" : "mix";
}
