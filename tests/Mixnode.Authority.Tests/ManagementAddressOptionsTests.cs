using Mixnode.Authority.Configuration;

namespace Mixnode.Authority.Tests;

/// <summary>
/// Mixnode:Authority:Management:ListenAddress: any IP with a fixed port (a container's probes and Prometheus reach the
/// pod's address, not its loopback), or empty for none; never port 0 or a host name.
/// </summary>
public sealed class ManagementAddressOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:31100")]
    [InlineData("0.0.0.0:9464")]
    [InlineData("10.0.0.5:9464")]
    [InlineData("[::]:9464")]
    [InlineData("")]
    public void An_IP_with_a_fixed_port_or_nothing_is_accepted(string address) =>
        Assert.DoesNotContain(Failures(address), f => f.Contains("Management:ListenAddress", StringComparison.Ordinal));

    [Theory]
    [InlineData("0.0.0.0:0")]
    [InlineData("127.0.0.1:0")]
    [InlineData("localhost:9464")]
    [InlineData("9464")]
    public void Port_zero_or_no_IP_is_refused_naming_the_setting(string address) =>
        Assert.Contains(Failures(address), f => f.Contains("Mixnode:Authority:Management:ListenAddress must be an IP:port with a fixed port", StringComparison.Ordinal));

    private static IEnumerable<string> Failures(string management)
    {
        var options = new AuthorityOptions
        {
            Name = "auth-0",
            ListenAddress = "0.0.0.0:31000",
            KeysDirectory = "/var/lib/mixnode/keys",
            StateDirectory = "/var/lib/mixnode/state",
            AuthoritiesFile = "/etc/mixnode/authorities.json",
            NodesFile = "/etc/mixnode-authority/nodes.json",
        };
        options.Management.ListenAddress = management;
        return new AuthorityOptionsValidator().Validate(null, options).Failures ?? [];
    }
}
