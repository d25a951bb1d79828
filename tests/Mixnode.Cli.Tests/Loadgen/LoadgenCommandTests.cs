using System.Net;
using System.Net.Sockets;
using Mixnode.Cli.Tests.Keygen;

namespace Mixnode.Cli.Tests.Loadgen;

public sealed class LoadgenCommandTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_topology_file_that_is_not_json_is_an_error_with_a_message()
    {
        string path = _dir.Combine("topology.json");
        File.WriteAllText(path, "this is not a network document");
        (int code, string text) = Run("loadgen", "--topology", path, "--rate", "10", "--duration", "1");
        Assert.NotEqual(0, code);
        Assert.Contains("invalid topology", text, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_topology_file_is_an_error_with_a_message()
    {
        (int code, string text) = Run("loadgen", "--topology", _dir.Combine("nope.json"), "--rate", "10", "--duration", "1");
        Assert.Equal(1, code);
        Assert.Contains("cannot read", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_topology_signed_by_another_authority_is_refused()
    {
        string topology = MakeTopology(out _);
        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("other")).Code);
        (int code, string text) = Run("loadgen", "--topology", topology, "--rate", "10", "--duration", "1", "--authority-pub", _dir.Combine("other", "authority.pub"));
        Assert.Equal(1, code);
        Assert.Contains("signed by none of the expected authorities", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_provider_is_an_error_and_the_embedded_authority_is_trusted_with_a_warning()
    {
        string topology = MakeTopology(out _);
        (int code, string text) = Run("loadgen", "--topology", topology, "--rate", "10", "--duration", "1", "--clients", "1", "--wait", "0");
        Assert.Equal(1, code);
        Assert.Contains("trust on first use", text, StringComparison.Ordinal);
        Assert.Contains("provider unreachable: provider-0 at 127.0.0.1:", text, StringComparison.Ordinal);
        Assert.DoesNotContain("waiting for provider", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_that_does_not_come_within_the_wait_is_named_with_the_fix()
    {
        string topology = MakeTopology(out string authority);
        (int code, string text) = Run("loadgen", "--topology", topology, "--authority-pub", authority, "--rate", "10", "--duration", "1", "--clients", "1", "--wait", "1");
        Assert.Equal(1, code);
        Assert.Single(text.Split('\n'), l => l.StartsWith("waiting for provider provider-0 at 127.0.0.1:", StringComparison.Ordinal) && l.EndsWith("(connection refused)…", StringComparison.Ordinal));
        Assert.Contains("loadgen: provider still unreachable after waiting 1 s: provider-0 at 127.0.0.1:", text, StringComparison.Ordinal);
        Assert.Contains("--wait", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--rate", "0")]
    [InlineData("--rate", "-5")]
    [InlineData("--duration", "0")]
    [InlineData("--clients", "0")]
    [InlineData("--drain-seconds", "-1")]
    [InlineData("--wait", "-1")]
    [InlineData("--payload-rate", "5")]
    [InlineData("--loop-rate", "1")]
    public void Impossible_numbers_are_argument_errors(string option, string value)
    {
        var args = new List<string> { "loadgen", "--topology", _dir.Combine("t.json"), "--rate", "10", "--duration", "1" };
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
    [InlineData("--payload-rate", "0")]
    [InlineData("--payload-rate", "-2")]
    [InlineData("--loop-rate", "-1")]
    public void Impossible_cover_rates_are_argument_errors(string option, string value)
    {
        (int code, string text) = Run("loadgen", "--topology", _dir.Combine("t.json"), "--rate", "10", "--duration", "1", "--cover", option, value);
        Assert.Equal(2, code);
        Assert.Contains(option, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Cover_rates_without_cover_are_refused_with_a_hint()
    {
        (int code, string text) = Run("loadgen", "--topology", _dir.Combine("t.json"), "--rate", "10", "--duration", "1", "--payload-rate", "5");
        Assert.Equal(2, code);
        Assert.Contains("need --cover", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Cover_that_would_not_fit_in_memory_is_an_argument_error()
    {
        string topology = MakeTopology(out string authority);
        (int code, string text) = Run("loadgen", "--topology", topology, "--authority-pub", authority, "--rate", "10", "--duration", "1000", "--clients", "100", "--cover", "--payload-rate", "5");
        Assert.Equal(2, code);
        Assert.Contains("held in memory", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_options_must_be_given()
    {
        (int code, string text) = Run("loadgen", "--rate", "10");
        Assert.NotEqual(0, code);
        Assert.Contains("--duration", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Either_a_topology_or_the_authorities_must_be_given()
    {
        (int code, string text) = Run("loadgen", "--rate", "10", "--duration", "1");
        Assert.Equal(2, code);
        Assert.Contains("either --topology FILE", text, StringComparison.Ordinal);
        Assert.Contains("--authorities FILE", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_topology_and_the_authorities_together_are_refused()
    {
        (int code, string text) = Run("loadgen", "--topology", _dir.Combine("t.json"), "--authorities", _dir.Combine("a.json"), "--rate", "10", "--duration", "1");
        Assert.Equal(2, code);
        Assert.Contains("not both", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_authority_key_with_the_authorities_is_refused()
    {
        (int code, string text) = Run("loadgen", "--authorities", _dir.Combine("a.json"), "--authority-pub", "AAAA", "--rate", "10", "--duration", "1");
        Assert.Equal(2, code);
        Assert.Contains("--authority-pub checks a --topology file", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_authorities_file_is_an_error_with_a_message()
    {
        (int code, string text) = Run("loadgen", "--authorities", _dir.Combine("nope.json"), "--rate", "10", "--duration", "1");
        Assert.Equal(1, code);
        Assert.Contains("cannot read the authorities file", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorities_that_do_not_answer_are_named_after_the_wait()
    {
        string path = _dir.Combine("authorities.json");
        string key = Convert.ToBase64String(new byte[32]);
        File.WriteAllText(path, $$"""{"threshold": 1, "authorities": [{"name": "auth-0", "address": "127.0.0.1:{{ClosedPort()}}", "public_key": "{{key}}"}]}""");
        (int code, string text) = Run("loadgen", "--authorities", path, "--rate", "10", "--duration", "1", "--wait", "0");
        Assert.Equal(1, code);
        Assert.Contains("no usable network document from 1 of 1 authorities", text, StringComparison.Ordinal);
    }

    /// <summary>A signed topology whose providers' client addresses are closed ports.</summary>
    private string MakeTopology(out string authorityPub)
    {
        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("authority")).Code);
        authorityPub = _dir.Combine("authority", "authority.pub");
        string[] descriptors =
        [
            Node("provider-0", "--role", "provider", "--address", $"127.0.0.1:{ClosedPort()}", "--address", $"127.0.0.1:{ClosedPort()}"),
            Node("mix-0-0", "--layer", "0", "--address", $"127.0.0.1:{ClosedPort()}"),
            Node("mix-1-0", "--layer", "1", "--address", $"127.0.0.1:{ClosedPort()}"),
            Node("mix-2-0", "--layer", "2", "--address", $"127.0.0.1:{ClosedPort()}"),
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
