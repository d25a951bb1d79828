using System.Net;
using System.Net.Sockets;
using Mixnode.Cli.Tests.Keygen;

namespace Mixnode.Cli.Tests.Abuse;

/// <summary><c>mixnode abuse</c>: arguments, the loopback-only rule, and every kind against a network that is not there.</summary>
public sealed class AbuseCommandTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_unknown_kind_is_refused_naming_the_kinds()
    {
        (int code, string text) = Run("abuse", "everything", "--topology", _dir.Combine("t.json"), "--rate", "1", "--duration", "1");
        Assert.NotEqual(0, code);
        Assert.Contains("identities", text, StringComparison.Ordinal);
        Assert.Contains("slow-readers", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "-1")]
    [InlineData("--duration", "0")]
    [InlineData("--clients", "0")]
    [InlineData("--concurrency", "0")]
    [InlineData("--sources", "251")]
    [InlineData("--messages", "0")]
    [InlineData("--flood", "0")]
    [InlineData("--delay-ms", "0")]
    public void Impossible_numbers_are_argument_errors(string option, string value)
    {
        var args = new List<string> { "abuse", "mailboxes", "--topology", _dir.Combine("t.json"), "--rate", "10", "--duration", "1" };
        int at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        (int code, string text) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(option, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--hold")]
    [InlineData("--node", "mix-0-0")]
    [InlineData("--port", "client")]
    public void Handshake_options_are_for_handshakes_only(params string[] option)
    {
        (int code, string text) = Run(["abuse", "identities", "--topology", _dir.Combine("t.json"), "--rate", "1", "--duration", "1", .. option]);
        Assert.Equal(2, code);
        Assert.Contains("handshakes only", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Either_a_topology_or_the_authorities_must_be_given()
    {
        (int code, string text) = Run("abuse", "mailboxes", "--rate", "1", "--duration", "1");
        Assert.Equal(2, code);
        Assert.Contains("either --topology FILE or --authorities FILE", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_network_off_this_machine_is_refused_without_allow_remote()
    {
        string topology = MakeTopology(host: "192.0.2.7");
        (int code, string text) = Run("abuse", "handshakes", "--topology", topology, "--rate", "1", "--duration", "1");
        Assert.Equal(2, code);
        Assert.Contains("outside 127.0.0.0/8", text, StringComparison.Ordinal);
        Assert.Contains("--allow-remote", text, StringComparison.Ordinal);
        Assert.DoesNotContain("summary", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Allow_remote_lets_the_tool_aim_at_a_network_off_loopback()
    {
        // 0.0.0.0 is not loopback to the check, yet a connect to it reaches this host (nothing listens: refused at once).
        string topology = MakeTopology(host: "0.0.0.0");
        Assert.Equal(2, Run("abuse", "handshakes", "--topology", topology, "--rate", "5", "--duration", "0.2").Code);
        (int code, string text) = Run("abuse", "handshakes", "--topology", topology, "--rate", "5", "--duration", "0.2", "--allow-remote");
        Assert.True(code == 0, text);
        Assert.Contains("summary kind=handshakes", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identities")]
    [InlineData("mailboxes")]
    [InlineData("long-delays")]
    [InlineData("client-flood")]
    [InlineData("handshakes")]
    [InlineData("slow-readers")]
    public void Against_nothing_every_attempt_is_an_error_and_the_run_ends_with_a_summary(string kind)
    {
        string topology = MakeTopology();
        (int code, string text) = Run("abuse", kind, "--topology", topology, "--rate", "20", "--duration", "0.3", "--clients", "2");
        Assert.True(code == 0, text);
        string summary = Assert.Single(text.Split('\n'), l => l.StartsWith($"summary kind={kind} ", StringComparison.Ordinal));
        Assert.Contains(" succeeded=0 ", summary, StringComparison.Ordinal);
        Assert.DoesNotContain(" errors=0 ", summary, StringComparison.Ordinal);
        Assert.Contains("error: SocketException", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_paced_phase_waits_for_the_start_file()
    {
        string topology = MakeTopology();
        string go = _dir.Combine("go");
        using var output = new StringWriter();
        Task<int> run = Task.Run(() => MixnodeCommand.Run(["abuse", "handshakes", "--topology", topology, "--rate", "20", "--duration", "0.2", "--start-file", go], TextWriter.Synchronized(output)));
        Task first = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(500)));
        Assert.NotSame(run, first);
        await File.WriteAllTextAsync(go, string.Empty);
        int code = await run.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, code);
        Assert.Contains("summary kind=handshakes", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("prepared; waiting for", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_victim_that_cannot_be_given_its_messages_is_a_clear_failure()
    {
        string topology = MakeTopology();
        (int code, string text) = Run("abuse", "victim", "--topology", topology, "--rate", "20", "--duration", "0.3");
        Assert.Equal(1, code);
        Assert.Contains("preparing victim failed", text, StringComparison.Ordinal);
    }

    private string MakeTopology(string host = "127.0.0.1")
    {
        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("authority")).Code);
        string[] descriptors =
        [
            Node("provider-0", "--role", "provider", "--address", $"{host}:{ClosedPort()}", "--address", $"{host}:{ClosedPort()}"),
            Node("mix-0-0", "--layer", "0", "--address", $"{host}:{ClosedPort()}"),
            Node("mix-1-0", "--layer", "1", "--address", $"{host}:{ClosedPort()}"),
            Node("mix-2-0", "--layer", "2", "--address", $"{host}:{ClosedPort()}"),
        ];
        string topology = _dir.Combine("topology.json");
        (int code, string text) = Run(["topology", "sign", "--authority-key", _dir.Combine("authority", "authority.key"), "--out", topology, .. descriptors]);
        Assert.True(code == 0, text);
        return topology;
    }

    private string Node(string name, params string[] options)
    {
        string dir = _dir.Combine(name);
        (int code, string text) = Run(["keygen", "--dir", dir, .. options]);
        Assert.True(code == 0, text);
        return Path.Combine(dir, "descriptor.json");
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static (int Code, string Text) Run(params string[] args)
    {
        using var output = new StringWriter();
        int code = MixnodeCommand.Run(args, output);
        return (code, output.ToString());
    }
}
