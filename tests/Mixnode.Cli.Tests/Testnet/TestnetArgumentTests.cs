using System.Globalization;
using Mixnode.Cli.Testnet;
using Mixnode.Cli.Tests.Keygen;

namespace Mixnode.Cli.Tests.Testnet;

public sealed class TestnetArgumentTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("--layers", "0", "--layers must be between 1 and 10, got 0")]
    [InlineData("--layers", "11", "--layers must be between 1 and 10, got 11")]
    [InlineData("--per-layer", "0", "--per-layer must be between 1 and 10, got 0")]
    [InlineData("--per-layer", "11", "--per-layer must be between 1 and 10, got 11")]
    [InlineData("--providers", "0", "--providers must be between 1 and 10, got 0")]
    [InlineData("--providers", "11", "--providers must be between 1 and 10, got 11")]
    [InlineData("--base-port", "0", "--base-port must be between 1 and 65535, got 0")]
    [InlineData("--base-port", "70000", "--base-port must be between 1 and 65535, got 70000")]
    [InlineData("--base-port", "65530", "the network needs 18 ports (65530..65547)")]
    [InlineData("--duration", "0", "--duration must be between 1 and 604800 seconds, got 0")]
    [InlineData("--mean-delay-ms", "0", "--mean-delay-ms must be more than 0")]
    [InlineData("--ready-timeout", "0", "--ready-timeout must be between 1 and 3600 seconds, got 0")]
    public void Out_of_range_arguments_are_refused_with_the_option_named(string option, string value, string message)
    {
        string target = _dir.Combine("net");
        (int code, string text) = Run("testnet", "--dir", target, option, value);
        Assert.Equal(2, code);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target), "nothing is generated when the arguments are wrong");
    }

    [Fact]
    public void A_file_is_not_a_directory()
    {
        string file = _dir.Combine("file");
        File.WriteAllText(file, "x");
        (int code, string text) = Run("testnet", "--dir", file);
        Assert.Equal(2, code);
        Assert.Contains("is a file", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        IReadOnlyList<string> errors = new TestnetSettings(_dir.Path, Layers: 0, PerLayer: 0, Providers: 0).Validate();
        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Defaults_are_valid_and_the_highest_usable_base_port_is_accepted()
    {
        var settings = new TestnetSettings(_dir.Combine("net"));
        Assert.Empty(settings.Validate());
        Assert.Equal(60, settings.ReadyTimeoutSeconds);

        // 2 providers × (link, client) + 3 mixes, then a management port for each of the 5 nodes, then an API and a
        // management port for each of the 3 authorities.
        Assert.Equal(3, settings.Authorities);
        Assert.Equal(TimeSpan.FromMinutes(20), settings.EpochPeriod);
        Assert.Equal(18, settings.PortCount);
        Assert.Empty((settings with { BasePort = 65535 - 17 }).Validate());
        Assert.NotEmpty((settings with { BasePort = 65535 - 16 }).Validate());
        Assert.Equal(12, (settings with { Authorities = 0 }).PortCount);
    }

    [Theory]
    [InlineData(-1, null, "--authorities must be between 0")]
    [InlineData(10, null, "--authorities must be between 0")]
    [InlineData(3, 9, "--epoch-seconds must be between 10 and 86400")]
    [InlineData(0, 20, "--epoch-seconds needs --authorities 1 or more")]
    public void Authority_settings_are_checked(int authorities, int? epochSeconds, string expected)
    {
        var settings = new TestnetSettings(_dir.Combine("net"), Authorities: authorities, EpochSeconds: epochSeconds);
        Assert.Contains(settings.Validate(), e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_dir_is_a_usage_error()
    {
        (int code, string text) = Run("testnet");
        Assert.NotEqual(0, code);
        Assert.Contains("--dir", text, StringComparison.Ordinal);
    }

    private static (int Code, string Text) Run(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        int code = MixnodeCommand.Run(args, output);
        return (code, output.ToString());
    }
}
