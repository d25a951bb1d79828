using System.Net;
using Mixnode.Client;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// The network under test and the node an abuse aims at. The tool is for one's own nodes: every address it could
/// reach (each node's and each authority's) must be on 127.0.0.0/8 (or ::1, or localhost) unless the operator says
/// <c>--allow-remote</c>.
/// </summary>
internal sealed record AbuseTarget(NetworkTopology Topology, NodeDescriptor Provider)
{
    /// <summary>Where the abuse's connections come from.</summary>
    public AbuseSources Sources { get; init; } = AbuseSources.None;

    /// <summary>The target provider's client address (where clients connect).</summary>
    public static string ClientAddress(NodeDescriptor provider) =>
        provider.Addresses.Length > ClientLinkProtocol.ClientAddressIndex
            ? provider.Addresses[ClientLinkProtocol.ClientAddressIndex]
            : throw new InvalidOperationException($"provider '{provider.Name}' lists no client address");

    /// <summary>The provider named <paramref name="name"/>, or the first one; a <see cref="ClientException"/> naming the choices.</summary>
    public static NodeDescriptor ChooseProvider(NetworkTopology topology, string? name)
    {
        ArgumentNullException.ThrowIfNull(topology);
        if (topology.Providers.IsEmpty)
        {
            throw new ClientException("the topology lists no provider");
        }

        if (name is null)
        {
            return topology.Providers[0];
        }

        return topology.Providers.FirstOrDefault(p => p.Name == name)
            ?? throw new ClientException($"no provider '{name}' in the topology (providers: {string.Join(", ", topology.Providers.Select(p => p.Name))})");
    }

    /// <summary>The node named <paramref name="name"/> (a mix or a provider); a <see cref="ClientException"/> when there is none.</summary>
    public static NodeDescriptor ChooseNode(NetworkTopology topology, string name)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return topology.Providers.Concat(topology.Layers.SelectMany(l => l)).FirstOrDefault(n => n.Name == name)
            ?? throw new ClientException($"no node '{name}' in the topology");
    }

    /// <summary>The addresses among <paramref name="addresses"/> that are not loopback (empty: all may be used without --allow-remote).</summary>
    public static IReadOnlyList<string> NonLoopback(IEnumerable<string> addresses) =>
        [.. addresses.Where(a => !IsLoopback(a))];

    /// <summary>Every address of every node of the topology.</summary>
    public static IEnumerable<string> Addresses(NetworkTopology topology) =>
        topology.Providers.Concat(topology.Layers.SelectMany(l => l)).SelectMany(n => n.Addresses);

    /// <summary>Whether host:port names a loopback host: 127.0.0.0/8, ::1 or localhost. Anything unparsable is not.</summary>
    public static bool IsLoopback(string address)
    {
        if (!NodeDescriptor.TrySplitAddress(address, out string host, out _))
        {
            return false;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>host:port as its parts; a <see cref="FormatException"/> for anything else.</summary>
    public static (string Host, int Port) Split(string address) =>
        NodeDescriptor.TrySplitAddress(address, out string host, out int port)
            ? (host, port)
            : throw new FormatException($"'{address}' is not host:port");
}
