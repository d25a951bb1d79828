using Mixnode.Authority.Configuration;
using Mixnode.Authority.Hosting;

namespace Mixnode.Authority.Tests;

/// <summary>config/authority.json, the example docs/authority.md points to, is valid and says what the defaults say.</summary>
public sealed class ExampleConfigurationTests
{
    [Fact]
    public void The_example_configuration_binds_and_validates()
    {
        string directory = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(directory, "Mixnode.sln")))
        {
            directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("Mixnode.sln not found above the test's directory");
        }

        AuthorityOptions options = AuthorityHost.BindOptions(AuthorityHost.ReadConfiguration(Path.Combine(directory, "config", "authority.json"), []));
        var defaults = new AuthorityOptions();
        Assert.Equal(defaults.EpochPeriod, options.EpochPeriod);
        Assert.Equal(defaults.MaxClockSkew, options.MaxClockSkew);
        Assert.Equal(defaults.BootstrapWait, options.BootstrapWait);
        Assert.Equal(defaults.BootstrapPhaseTimeout, options.BootstrapPhaseTimeout);
        Assert.Equal(defaults.Layers, options.Layers);
        Assert.False(options.AllowLoopbackAddresses);
        Assert.Equal(AuthorityOptionsValidator.ToParameters(defaults).Canonical.ToArray(), AuthorityOptionsValidator.ToParameters(options).Canonical.ToArray());
    }
}
