using System.Net;
using System.Net.Sockets;

namespace Mixnode.Node.Tests.Support;

/// <summary>Two connected TCP sockets on 127.0.0.1: what a link runs over, without a listener in the way.</summary>
internal static class SocketPair
{
    public static async Task<(Socket Client, Socket Server)> ConnectAsync(TimeSpan timeout)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Task connect = client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await listener.AcceptAsync().WaitAsync(timeout);
        await connect.WaitAsync(timeout);
        return (client, server);
    }
}
