using System.Collections.Frozen;
using System.Net;
using Mixnode.Pki;

namespace Mixnode.Node.Ingress;

/// <summary>
/// The IP addresses the current topology lists for its nodes, so the node-link listener can tell at accept time
/// (before any handshake work) whether a connection may come from a member: those use the connection slots reserved
/// for members and skip the per-prefix handshake rate. Only IP literals count (a host name would need a resolver on
/// the accept path); a member whose links leave from another address than it publishes is treated as a stranger, which
/// only means it competes for the unreserved slots. The check is a hint, not authentication: the handshake still
/// requires a topology link key.
/// </summary>
internal sealed class MemberAddresses
{
    private FrozenSet<IPAddress> _addresses = FrozenSet<IPAddress>.Empty;

    public MemberAddresses(NetworkTopology topology) => Update(topology);

    public int Count => Volatile.Read(ref _addresses).Count;

    public void Update(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var addresses = new HashSet<IPAddress>();
        foreach (NodeDescriptor node in topology.Providers.Concat(topology.Layers.SelectMany(l => l)))
        {
            foreach (string address in node.Addresses)
            {
                if (NodeDescriptor.TrySplitAddress(address, out string host, out _) && IPAddress.TryParse(host, out IPAddress? ip))
                {
                    addresses.Add(Normalize(ip));
                }
            }
        }

        Volatile.Write(ref _addresses, addresses.ToFrozenSet());
    }

    public bool Contains(IPAddress address) => Volatile.Read(ref _addresses).Contains(Normalize(address));

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
