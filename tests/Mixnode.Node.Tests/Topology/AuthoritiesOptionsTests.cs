using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mixnode.Node.Hosting;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Pki;

namespace Mixnode.Node.Tests.Topology;

/// <summary>
/// <c>Mixnode:AuthoritiesFile</c>: either it (the node follows the authorities) or the signed file and its key; the
/// authorities file is read at validation, so a missing, unparsable or unsafe one stops the start with the reason.
/// </summary>
public sealed class AuthoritiesOptionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void With_the_authorities_file_the_topology_path_and_authority_key_are_not_needed()
    {
        string file = WriteAuthorities(threshold: 2);
        Assert.True(Validate(new() { ["Mixnode:AuthoritiesFile"] = file }).Succeeded);
    }

    [Fact]
    public void Without_it_the_topology_path_and_the_authority_key_are_required()
    {
        ValidateOptionsResult result = Validate([]);
        Assert.Contains(result.Failures!, f => f.StartsWith("Mixnode:TopologyPath is required", StringComparison.Ordinal) && f.Contains("Mixnode:AuthoritiesFile", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Mixnode:AuthorityPublicKeyPath is required", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_an_unparsable_or_an_unsafe_authorities_file_is_refused_with_the_reason()
    {
        Assert.Contains(Validate(new() { ["Mixnode:AuthoritiesFile"] = _dir.Combine("nope.json") }).Failures!, f => f.Contains("does not exist", StringComparison.Ordinal));

        string garbled = _dir.Combine("garbled.json");
        File.WriteAllText(garbled, "{ not json");
        Assert.Contains(Validate(new() { ["Mixnode:AuthoritiesFile"] = garbled }).Failures!, f => f.StartsWith("Mixnode:AuthoritiesFile ", StringComparison.Ordinal) && f.Contains("not valid JSON", StringComparison.Ordinal));

        // 1 of 3 is not a majority: two groups could each publish a document for one epoch.
        string minority = WriteAuthorities(threshold: 1);
        Assert.Contains(Validate(new() { ["Mixnode:AuthoritiesFile"] = minority }).Failures!, f => f.Contains("majority", StringComparison.Ordinal));
    }

    [Fact]
    public void The_follower_timers_are_range_checked()
    {
        string file = WriteAuthorities(threshold: 2);
        ValidateOptionsResult result = Validate(new()
        {
            ["Mixnode:AuthoritiesFile"] = file,
            ["Mixnode:Authorities:StartTimeout"] = "00:00:00",
            ["Mixnode:Authorities:PollInterval"] = "00:10:00",
        });
        Assert.Contains(result.Failures!, f => f.StartsWith("Mixnode:Authorities:StartTimeout", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Mixnode:Authorities:PollInterval", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_wiring_makes_the_consensus_follower_the_topology_source_started_after_the_keys()
    {
        string file = WriteAuthorities(threshold: 2);
        var keys = new global::Mixnode.Node.Keys.NodeKeyStore(_dir.Combine("keys"));
        keys.CreateDirectories();
        keys.EnsureIdentityKey();
        keys.EnsureLinkKey();
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(new()
        {
            ["Mixnode:AuthoritiesFile"] = file,
            ["Mixnode:KeysDirectory"] = keys.Directory,
            ["Mixnode:StateDirectory"] = _dir.Combine("state"),
        })).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMixnode(configuration);
        await using ServiceProvider provider = services.BuildServiceProvider();

        Assert.IsType<ConsensusFollower>(provider.GetRequiredService<ITopologySource>());
        Assert.Null(provider.GetService<TopologyProvider>());
        var hosted = provider.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        Assert.True(hosted.IndexOf(nameof(global::Mixnode.Node.Keys.MixKeyRotationService)) < hosted.IndexOf(nameof(ConsensusFollower)));
        Assert.True(hosted.IndexOf(nameof(ConsensusFollower)) < hosted.IndexOf(nameof(NodeService)));
    }

    private string WriteAuthorities(int threshold)
    {
        string path = _dir.Combine($"authorities-{threshold}.json");
        string[] keys = [.. Enumerable.Range(0, 3).Select(_ => Convert.ToBase64String(TestNetwork.RandomKey().AsReadOnlySpan()))];
        File.WriteAllText(path, $$"""
            { "threshold": {{threshold}}, "authorities": [
              { "name": "auth-0", "address": "127.0.0.1:31000", "public_key": "{{keys[0]}}" },
              { "name": "auth-1", "address": "127.0.0.1:31001", "public_key": "{{keys[1]}}" },
              { "name": "auth-2", "address": "127.0.0.1:31002", "public_key": "{{keys[2]}}" } ] }
            """);
        return path;
    }

    private static ValidateOptionsResult Validate(Dictionary<string, string?> overrides)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings(overrides)).Build();
        var options = new NodeOptions();
        configuration.GetSection(NodeOptions.SectionName).Bind(options);
        return new NodeOptionsValidator().Validate(null, options);
    }

    private static Dictionary<string, string?> Settings(Dictionary<string, string?> overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mixnode:Name"] = "mix-0",
            ["Mixnode:KeysDirectory"] = "/var/lib/mixnode/keys",
            ["Mixnode:StateDirectory"] = "/var/lib/mixnode/state",
        };
        foreach ((string key, string? value) in overrides)
        {
            settings[key] = value;
        }

        return settings;
    }
}
