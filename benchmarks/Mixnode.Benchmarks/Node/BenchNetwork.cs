using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Mixnode.Cli;
using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Benchmarks.Node;

/// <summary>
/// Keys, descriptors and a signed topology on 127.0.0.1 made through the real <c>mixnode keygen</c> and
/// <c>mixnode topology</c> commands (as the integration tests' LocalNetwork does): the node under test
/// ("mix0", layer 0), the sink ("sink", layer 1: the next hop of every packet) and the feeder ("feeder",
/// a provider, so the node accepts its link like any topology member's).
/// </summary>
internal sealed class BenchNetwork : IDisposable
{
    private readonly Dictionary<string, NodeDescriptor> _descriptors = [];

    private BenchNetwork(string root) => Root = root;

    public string Root { get; }

    public string TopologyPath => Path.Combine(Root, "topology.json");

    public NodeDescriptor this[string name] => _descriptors[name];

    public string KeysDirectory(string name) => Path.Combine(Root, name, "keys");

    public static BenchNetwork Create()
    {
        string root = Path.Combine(Path.GetTempPath(), "mixnode-nodebench-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var network = new BenchNetwork(root);
        var descriptorFiles = new List<string>();
        foreach ((string name, string role, int layer) in new[] { ("mix0", "mix", 0), ("sink", "mix", 1), ("feeder", "provider", -1) })
        {
            var args = new List<string> { "keygen", "--dir", network.KeysDirectory(name), "--name", name, "--role", role, "--address", $"127.0.0.1:{FreePort()}" };
            if (role == "mix")
            {
                args.AddRange(["--layer", layer.ToString(CultureInfo.InvariantCulture)]);
            }

            Run(args);
            string descriptorPath = Path.Combine(network.KeysDirectory(name), NodeKeyStore.DescriptorFile);
            descriptorFiles.Add(descriptorPath);
            network._descriptors[name] = NodeDescriptor.Parse(File.ReadAllText(descriptorPath));
        }

        Run(["topology", "keygen", "--out", Path.Combine(root, "authority")]);
        Run(["topology", "sign", "--authority-key", Path.Combine(root, "authority", "authority.key"), "--out", network.TopologyPath, .. descriptorFiles]);
        return network;
    }

    /// <summary>Configuration overrides for <c>mixnode run</c> of the node under test.</summary>
    public List<string> NodeSettings(int workers, params string[] extra) =>
    [
        "Mixnode:Name=mix0",
        $"Mixnode:ListenAddress={this["mix0"].Addresses[0]}",
        $"Mixnode:KeysDirectory={KeysDirectory("mix0")}",
        $"Mixnode:StateDirectory={Path.Combine(Root, "mix0", "state")}",
        $"Mixnode:TopologyPath={TopologyPath}",
        $"Mixnode:AuthorityPublicKeyPath={Path.Combine(Root, "authority", "authority.pub")}",
        $"Mixnode:Workers={workers.ToString(CultureInfo.InvariantCulture)}",
        "Logging:LogLevel:Default=Warning",
        .. extra,
    ];

    public IPEndPoint EndPoint(string name) => IPEndPoint.Parse(this[name].Addresses[0]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void Run(IReadOnlyList<string> args)
    {
        var output = new StringWriter();
        int exit = MixnodeCommand.Run([.. args], output);
        if (exit != 0)
        {
            throw new InvalidOperationException($"mixnode {string.Join(' ', args)} failed ({exit}): {output}");
        }
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
