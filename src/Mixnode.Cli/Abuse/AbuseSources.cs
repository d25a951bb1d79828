using System.Net;
using System.Net.Sockets;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// The source addresses an abuse connects from: the OS's choice (none given), or N loopback addresses of one /24,
/// 127.0.1.1 to 127.0.1.N, taken in turn: one machine posing as many hosts of one network, as an attacker with a
/// block of addresses would (per-address limits see N addresses; per-prefix limits see one prefix). Not 127.0.0.0/24,
/// where the OS's choice (127.0.0.1) puts legitimate local clients such as loadgen: the attacker's prefix must not be
/// theirs, or a per-prefix limit would rightly lock them out together. Linux routes all of 127.0.0.0/8 to the
/// loopback interface, so no setup is needed.
/// </summary>
internal sealed class AbuseSources(int count)
{
    /// <summary>At most this many: 127.0.1.1 to 127.0.1.250.</summary>
    public const int Max = 250;

    public static readonly AbuseSources None = new(0);

    public int Count { get; } = count;

    /// <summary>A TCP socket, bound to the source of connection number <paramref name="index"/> when sources were given.</summary>
    public Socket NewSocket(long index)
    {
        if (Count == 0)
        {
            // Dual mode: whatever the address resolves to.
            return new Socket(SocketType.Stream, ProtocolType.Tcp);
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(Address(index), 0));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>127.0.1.(1 + index mod N).</summary>
    public IPAddress Address(long index) => new([127, 0, 1, (byte)(1 + (index % Math.Max(1, Count)))]);
}
