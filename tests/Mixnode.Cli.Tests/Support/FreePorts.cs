using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Mixnode.Cli.Tests.Support;

/// <summary>Ports for tests that start real networks on 127.0.0.1 (tests run on shared machines, beside other runs).</summary>
internal static class FreePorts
{
    /// <summary>A base port whose next <paramref name="count"/> ports are free now, as the testnet's <c>--base-port</c> value.</summary>
    public static string BasePort(int count)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            int basePort = Random.Shared.Next(20_000, 60_000);
            var listeners = new List<TcpListener>();
            try
            {
                for (int i = 0; i < count; i++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, basePort + i);
                    listener.Start();
                    listeners.Add(listener);
                }

                return basePort.ToString(CultureInfo.InvariantCulture);
            }
            catch (SocketException)
            {
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException("no free ports found");
    }
}
