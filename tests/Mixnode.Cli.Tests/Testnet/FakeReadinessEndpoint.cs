using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mixnode.Cli.Tests.Testnet;

/// <summary>
/// A stand-in for a node's management endpoint on 127.0.0.1: answers every request with what <c>respond</c> says for
/// the n-th request (status and body; status 0 means accept the request and never answer), one request per
/// connection. Lets the readiness poller be tested without starting nodes.
/// </summary>
internal sealed class FakeReadinessEndpoint : IAsyncDisposable
{
    /// <summary>What a node says while its links to the next layer are not up (the node's own check names).</summary>
    public const string NotReadyBody = """{"status":"Unhealthy","checks":{"keys":"Healthy","network":"Healthy","listeners":"Healthy","next_layer":"Unhealthy","warm_up":"Healthy"}}""";

    private readonly TcpListener _listener;
    private readonly Func<int, (int Status, string Body)> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _requests;

    private FakeReadinessEndpoint(TcpListener listener, Func<int, (int Status, string Body)> respond)
    {
        _listener = listener;
        _respond = respond;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Address => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Listens on <paramref name="port"/> (0: any free port).</summary>
    public static FakeReadinessEndpoint Start(Func<int, (int Status, string Body)> respond, int port = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new FakeReadinessEndpoint(listener, respond);
    }

    /// <summary>A loopback port nothing listens on (for now): connecting to it is refused.</summary>
    public static int UnusedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                var request = new StringBuilder();
                var buffer = new byte[1024];
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                (int status, string body) = _respond(Interlocked.Increment(ref _requests) - 1);
                if (status == 0)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                byte[] content = Encoding.UTF8.GetBytes(body);
                string head = string.Create(
                    CultureInfo.InvariantCulture,
                    $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Service Unavailable")}\r\nContent-Type: application/json\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(content, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
