using System.Net;
using System.Net.Sockets;
using Mixnode.Cli;

namespace Mixnode.IntegrationTests;

/// <summary>
/// Start-up errors of <c>mixnode run</c>, tried as a new operator would make them: each is one message naming the
/// setting or file and the fix, exit 2, and no stack trace unless <c>--stack-trace</c> asks for one.
/// </summary>
public sealed class RunStartupErrorTests : IDisposable
{
    private readonly LocalNetwork _network = ChainTests.CreateNetwork();

    public void Dispose() => _network.Dispose();

    [Theory]
    [InlineData("Mixnode:MaxNodeDelay=abc", "Mixnode:MaxNodeDelay 'abc' is not a duration")]
    [InlineData("Mixnode:Workers=many", "Mixnode:Workers 'many' is not a whole number")]
    [InlineData("Mixnode:SafeLogging=maybe", "Mixnode:SafeLogging 'maybe' is not true or false")]
    [InlineData("Mixnode:Management:ListenAddress=localhost", "Mixnode:Management:ListenAddress 'localhost' is not ip:port")]
    [InlineData("Mixnode:Telemetry:OtlpEndpoint=collector:4317", "Mixnode:Telemetry:OtlpEndpoint 'collector:4317' is not an http(s) URL")]
    [InlineData("Mixnode:EpochPeriod=00:10:00", "Mixnode:EpochPeriod (00:10:00) differs from the network document's epoch period (00:20:00)")]
    public void A_bad_setting_is_one_message_naming_it_and_exit_2(string setting, string expected)
    {
        (int exit, string output) = Run(setting);

        Assert.Equal(2, exit);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public void A_missing_key_file_names_the_file_without_a_stack_trace()
    {
        File.Delete(Path.Combine(_network.KeysDirectory("mix0"), "link.key"));

        (int exit, string output) = Run();

        Assert.Equal(2, exit);
        Assert.Contains("link.key", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public void A_node_missing_from_the_network_document_refuses_to_start()
    {
        string stranger = Path.Combine(_network.Root, "stranger-keys");
        Assert.Equal(0, MixnodeCommand.Run(["keygen", "--dir", stranger, "--name", "stranger", "--role", "mix", "--layer", "0", "--address", "127.0.0.1:1"], new StringWriter()));

        (int exit, string output) = Run($"Mixnode:KeysDirectory={stranger}");

        Assert.Equal(2, exit);
        Assert.Contains("is not in the network document", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public void A_management_port_in_use_names_the_setting_and_asks_for_details_with_stack_trace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        (int exit, string output) = Run($"Mixnode:Management:ListenAddress=127.0.0.1:{port}");
        Assert.Equal(2, exit);
        Assert.Contains("Mixnode:Management:ListenAddress", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);

        (int again, string detailed) = Run(["--stack-trace", $"Mixnode:Management:ListenAddress=127.0.0.1:{port}"]);
        Assert.Equal(2, again);
        Assert.Contains("   at ", detailed, StringComparison.Ordinal);
    }

    private (int Exit, string Output) Run(params string[] extra)
    {
        var output = new StringWriter();
        string[] options = [.. extra.Where(e => e.StartsWith("--", StringComparison.Ordinal))];
        string[] settings = [.. _network.Settings("mix0", [.. extra.Where(e => !e.StartsWith("--", StringComparison.Ordinal))])];
        int exit = MixnodeCommand.Run(["run", .. options, .. settings], output);
        return (exit, output.ToString());
    }

    private static void AssertNoStackTrace(string output) =>
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
}
