using System.Net;
using System.Net.Sockets;
using Mixnode.Pki;

namespace Mixnode.Authority.Configuration;

/// <summary>
/// Which link addresses an authority lets into a document: IP literals with a port (no names: resolving them would
/// let whoever runs DNS move a node), public addresses only unless loopback or private ranges are allowed (a testnet
/// on one machine allows loopback). A node pointing others at 10.0.0.1 or 127.0.0.1 in a public network would turn
/// every mix into a scanner of its own network.
/// </summary>
internal sealed record AddressPolicy(bool AllowLoopback, bool AllowPrivate)
{
    /// <summary>Null when <paramref name="address"/> is allowed, else why not (without the address: messages may be logged).</summary>
    public string? Check(string address)
    {
        if (!NodeDescriptor.TrySplitAddress(address, out string host, out _) || !IPAddress.TryParse(host, out IPAddress? ip))
        {
            return "an address is not an IP literal with a port";
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        if (IPAddress.IsLoopback(ip))
        {
            return AllowLoopback ? null : "a loopback address is not allowed (AllowLoopbackAddresses)";
        }

        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.Broadcast) || IsMulticast(ip))
        {
            return "an unspecified, broadcast or multicast address is not a node's address";
        }

        if (IsPrivate(ip))
        {
            return AllowPrivate ? null : "a private or link-local address is not allowed (AllowPrivateAddresses)";
        }

        return null;
    }

    private static bool IsMulticast(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 ? ip.IsIPv6Multicast : ip.GetAddressBytes()[0] >= 224;

    private static bool IsPrivate(IPAddress ip)
    {
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            byte first = ip.GetAddressBytes()[0];
            return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6UniqueLocal || first == 0;
        }

        byte[] b = ip.GetAddressBytes();
        return b[0] == 10
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
            || b[0] == 0;
    }
}
