using System.Net;
using System.Net.Sockets;

namespace Mixnode.Node;

/// <summary>
/// The network a connection comes from, as the unit limits are counted in: an IPv4 /24 or an IPv6 /64. One host
/// usually gets a whole IPv6 /64 (so counting per /128 lets it be 2^64 sources), and an IPv4 address is cheap to vary
/// within a /24 on a rented server. An IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 peer) counts as
/// the IPv4 address. Kept only in memory as a counter key; never logged or exported.
/// </summary>
internal readonly record struct SourcePrefix
{
    private readonly ulong _high;
    private readonly ulong _family;

    private SourcePrefix(ulong high, ulong family)
    {
        _high = high;
        _family = family;
    }

    public static SourcePrefix Of(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        if (address.AddressFamily == AddressFamily.InterNetwork || written == 4)
        {
            // The first three bytes; the family word keeps 10.0.0.0/24 apart from the IPv6 prefix 0:0:a::/64.
            return new SourcePrefix(((ulong)bytes[0] << 16) | ((ulong)bytes[1] << 8) | bytes[2], 4);
        }

        return new SourcePrefix(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), 6);
    }
}
