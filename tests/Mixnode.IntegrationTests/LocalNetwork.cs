using System.Net;
using System.Net.Sockets;
using Mixnode.Cli;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Keys, descriptors and a signed topology for a small network on 127.0.0.1, made through the real
/// <c>mixnode keygen</c> and <c>mixnode topology</c> commands. Every node gets a free port. The test itself
/// takes part as a topology member (an extra provider) so that it may open links like any node.
/// </summary>
internal sealed class LocalNetwork : IDisposable
{
    private readonly Dictionary<string, NodeDescriptor> _descriptors = [];

    private LocalNetwork(string root) => Root = root;

    public string Root { get; }

    public string TopologyPath => Path.Combine(Root, "topology.json");

    public string AuthorityPublicPath => Path.Combine(Root, "authority", "authority.pub");

    public SphinxGeometry Geometry => SphinxGeometry.Default;

    public NodeDescriptor this[string name] => _descriptors[name];

    public string KeysDirectory(string name) => Path.Combine(Root, name, "keys");

    public string StateDirectory(string name) => Path.Combine(Root, name, "state");

    /// <summary>Creates the network: <paramref name="nodes"/> as (name, role, layer).</summary>
    public static LocalNetwork Create(params (string Name, string Role, int Layer)[] nodes)
    {
        string root = Path.Combine(Path.GetTempPath(), "mixnode-it-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var network = new LocalNetwork(root);
        var descriptorFiles = new List<string>();
        foreach ((string name, string role, int layer) in nodes)
        {
            var args = new List<string> { "keygen", "--dir", network.KeysDirectory(name), "--name", name, "--role", role, "--address", $"127.0.0.1:{FreePort()}" };
            if (role == "provider")
            {
                // Providers list their client address second.
                args.AddRange(["--address", $"127.0.0.1:{FreePort()}"]);
            }

            if (role == "mix")
            {
                args.AddRange(["--layer", layer.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
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

    /// <summary>Configuration overrides for <c>mixnode run</c> of node <paramref name="name"/>.</summary>
    public List<string> Settings(string name, params string[] extra)
    {
        NodeDescriptor node = this[name];
        return
        [
            $"Mixnode:Name={name}",
            $"Mixnode:ListenAddress={node.Addresses[0]}",
            $"Mixnode:KeysDirectory={KeysDirectory(name)}",
            $"Mixnode:StateDirectory={StateDirectory(name)}",
            $"Mixnode:TopologyPath={TopologyPath}",
            $"Mixnode:AuthorityPublicKeyPath={AuthorityPublicPath}",
            "Mixnode:ReplayFilterCapacity=100000",
            "Mixnode:Links:ReconnectBackoffMin=00:00:00.050",
            "Mixnode:Links:ReconnectBackoffMax=00:00:00.500",
            "Logging:LogLevel:Default=Warning",

            // No loop cover unless a test asks for it (later settings win): tests that count what a node forwards
            // must not see its own loops among the packets.
            "Mixnode:Mixing:LoopRatePerSecond=0",

            // No management endpoint unless a test asks for one (the default port would be shared by every node).
            "Mixnode:Management:ListenAddress=",
            .. node.Addresses.Length > 1 ? [$"Mixnode:ClientListenAddress={node.Addresses[1]}"] : Array.Empty<string>(),
            .. extra,
        ];
    }

    /// <summary>The endpoint a node listens on.</summary>
    public IPEndPoint EndPoint(string name) => IPEndPoint.Parse(this[name].Addresses[0]);

    /// <summary>The current epoch's mix public key of a node (the topology carries keys for several epochs).</summary>
    public byte[] MixKey(string name, long epoch) => this[name].MixKeys[epoch].AsReadOnlySpan().ToArray();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A killed child process may still hold a file for a moment; the temp directory is cleaned later.
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
