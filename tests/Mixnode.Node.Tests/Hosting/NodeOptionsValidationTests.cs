using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mixnode.Node.Hosting;

namespace Mixnode.Node.Tests.Hosting;

/// <summary>
/// Configuration through the real wiring (<see cref="NodeServiceCollectionExtensions.AddMixnode"/>): every bad
/// setting is reported at once, each message naming the setting as written in configuration, before anything starts.
/// </summary>
public sealed class NodeOptionsValidationTests
{
    [Fact]
    public async Task The_defaults_with_the_required_paths_are_valid()
    {
        using ServiceProvider provider = Build([]);
        NodeOptions options = provider.GetRequiredService<IOptions<NodeOptions>>().Value;
        Assert.Equal("mix-0", options.Name);
        Assert.Equal("127.0.0.1:30001", options.ListenAddress);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Links.NoOpInterval);
        await provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Cross_field_errors_are_reported_together_each_naming_its_setting()
    {
        using ServiceProvider provider = Build(new()
        {
            ["Mixnode:ListenAddress"] = "localhost:30001",
            ["Mixnode:Geometry"] = "huge",
            ["Mixnode:Delivery:Sink"] = "disk",
            ["Mixnode:Links:NoOpInterval"] = "00:02:00",
            ["Mixnode:Links:MaxConnectionsPerAddress"] = "2000",
            ["Mixnode:Links:ReconnectBackoffMin"] = "00:00:30",
            ["Mixnode:Links:ReconnectBackoffMax"] = "00:00:01",
            ["Mixnode:MaxNodeDelay"] = "00:30:00",
        });

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NodeOptions>>().Value);
        AssertNamed(
            e,
            "Mixnode:ListenAddress",
            "Mixnode:Geometry",
            "Mixnode:Delivery:Sink",
            "Mixnode:Links:NoOpInterval",
            "Mixnode:Links:MaxConnectionsPerAddress",
            "Mixnode:Links:ReconnectBackoffMin",
            "Mixnode:MaxNodeDelay");

        // ValidateOnStart: the host's start-up validator runs the same rules before any hosted service starts.
        OptionsValidationException atStart = await Assert.ThrowsAsync<OptionsValidationException>(
            () => provider.GetRequiredService<IAsyncStartupValidator>().ValidateAsync(CancellationToken.None));
        Assert.Equal(e.Failures, atStart.Failures);
    }

    [Fact]
    public void Range_and_required_errors_name_their_setting_including_those_of_nested_sections()
    {
        using ServiceProvider provider = Build(new()
        {
            ["Mixnode:Name"] = "",
            ["Mixnode:Workers"] = "1000",
            ["Mixnode:IngressQueueCapacity"] = "1",
            ["Mixnode:Links:MaxConnections"] = "0",
            ["Mixnode:Links:MaxConnectionsPerAddress"] = "0",
            ["Mixnode:Links:HandshakeTimeout"] = "00:00:00",
            ["Mixnode:Links:PauseThresholdBytes"] = "1",
            ["Mixnode:Delivery:MailboxCapacity"] = "0",
            ["Mixnode:Delivery:MaxMailboxes"] = "-5",
        });

        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NodeOptions>>().Value);
        AssertNamed(
            e,
            "Mixnode:Name",
            "Mixnode:Workers",
            "Mixnode:IngressQueueCapacity",
            "Mixnode:Links:MaxConnections",
            "Mixnode:Links:MaxConnectionsPerAddress",
            "Mixnode:Links:HandshakeTimeout",
            "Mixnode:Links:PauseThresholdBytes",
            "Mixnode:Delivery:MailboxCapacity",
            "Mixnode:Delivery:MaxMailboxes");
        Assert.DoesNotContain(e.Failures, f => f.StartsWith("Mixnode:ListenAddress", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_host_with_bad_settings_fails_to_start_before_any_service_starts()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(Settings(new() { ["Mixnode:Links:NoOpInterval"] = "00:05:00", ["Mixnode:ListenAddress"] = "nowhere" }));
        var probe = new StartProbe();
        builder.Services.AddSingleton<IHostedService>(probe);
        builder.Services.AddMixnode(builder.Configuration);
        using IHost host = builder.Build();

        OptionsValidationException e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        AssertNamed(e, "Mixnode:Links:NoOpInterval", "Mixnode:ListenAddress");
        Assert.False(probe.Started);
    }

    [Theory]
    [InlineData("Mixnode:Mixing:Strategy", "shuffle", "Mixnode:Mixing:Strategy")]
    [InlineData("Mixnode:Mixing:PoolFraction", "0", "Mixnode:Mixing:PoolFraction")]
    [InlineData("Mixnode:Mixing:PoolFraction", "1.5", "Mixnode:Mixing:PoolFraction")]
    [InlineData("Mixnode:Mixing:PoolMinPool", "-1", "Mixnode:Mixing:PoolMinPool")]
    [InlineData("Mixnode:Mixing:PoolMinPool", "300000", "Mixnode:Mixing:PoolMinPool")]
    [InlineData("Mixnode:Mixing:PoolInterval", "00:00:00", "Mixnode:Mixing:PoolInterval")]
    [InlineData("Mixnode:Mixing:PoolInterval", "-00:00:01", "Mixnode:Mixing:PoolInterval")]
    [InlineData("Mixnode:Mixing:LoopRatePerSecond", "-1", "Mixnode:Mixing:LoopRatePerSecond")]
    [InlineData("Mixnode:Mixing:LoopRatePerSecond", "1e9", "Mixnode:Mixing:LoopRatePerSecond")]
    public void Bad_mixing_overrides_stop_the_start_naming_the_setting(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Mixnode:Mixing:Pool", StringComparison.Ordinal))
        {
            // Pool settings are checked for the pool the override makes.
            settings["Mixnode:Mixing:Strategy"] = "timed-pool";
            if (key != "Mixnode:Mixing:PoolInterval")
            {
                settings["Mixnode:Mixing:PoolInterval"] = "00:00:00.100";
            }
        }

        using ServiceProvider provider = Build(settings);
        OptionsValidationException e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NodeOptions>>().Value);
        AssertNamed(e, named);
    }

    [Fact]
    public void A_timed_pool_override_with_sane_settings_is_valid()
    {
        using ServiceProvider provider = Build(new()
        {
            ["Mixnode:Mixing:Strategy"] = "timed-pool",
            ["Mixnode:Mixing:PoolInterval"] = "00:00:00",
            ["Mixnode:Mixing:PoolThreshold"] = "100",
            ["Mixnode:Mixing:PoolMinPool"] = "10",
            ["Mixnode:Mixing:PoolFraction"] = "0.5",
            ["Mixnode:Mixing:LoopRatePerSecond"] = "0",
        });
        Assert.Equal("timed-pool", provider.GetRequiredService<IOptions<NodeOptions>>().Value.Mixing.Strategy);
    }

    private static void AssertNamed(OptionsValidationException e, params string[] settings)
    {
        foreach (string setting in settings)
        {
            // "Mixnode:Links:MaxConnections" must not be satisfied by a message about MaxConnectionsPerAddress.
            Assert.Contains(e.Failures, f => f.StartsWith(setting + " ", StringComparison.Ordinal) || f.StartsWith(setting + ":", StringComparison.Ordinal));
        }

        Assert.Equal(settings.Length, e.Failures.Count());
    }

    private static ServiceProvider Build(Dictionary<string, string?> overrides)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(overrides)).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMixnode(configuration);
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Settings(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mixnode:Name"] = "mix-0",
            ["Mixnode:KeysDirectory"] = "/var/lib/mixnode/keys",
            ["Mixnode:StateDirectory"] = "/var/lib/mixnode/state",
            ["Mixnode:TopologyPath"] = "/etc/mixnode/topology.json",
            ["Mixnode:AuthorityPublicKeyPath"] = "/etc/mixnode/authority.pub",
        };
        foreach ((string key, string? value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }

    private sealed class StartProbe : IHostedService
    {
        public bool Started { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken)
        {
            Started = true;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
