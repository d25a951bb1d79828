using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Node.Delivery;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.Node.Hosting;

/// <summary>Wires a Mixnode relay into a Generic Host.</summary>
public static class NodeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the node: options from section <c>Mixnode</c> (validated at start, all errors together), metrics
    /// on the meter <c>Mixnode</c>, keys, mix key rotation, topology (reloaded on change), the delivery sink
    /// and the relay service itself. Start order: topology, keys, node — or, with <c>Mixnode:AuthoritiesFile</c>,
    /// keys, the consensus follower (which waits for a consensus), node.
    /// </summary>
    public static IServiceCollection AddMixnode(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<NodeOptions>()
            .Bind(configuration.GetSection(NodeOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<NodeOptions>, NodeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<NodeMetrics>();

        services.TryAddSingleton(sp => new NodeKeyStore(Options(sp).KeysDirectory));
        services.TryAddSingleton(sp => new EpochClock(sp.GetRequiredService<TimeProvider>(), Options(sp).EpochPeriod));
        services.TryAddSingleton(sp => new MixKeyRing(sp.GetRequiredService<NodeKeyStore>(), sp.GetRequiredService<EpochClock>()));
        bool followsAuthorities = !string.IsNullOrEmpty(configuration.GetSection(NodeOptions.SectionName)[nameof(NodeOptions.AuthoritiesFile)]);
        if (followsAuthorities)
        {
            services.TryAddSingleton<ConsensusMetrics>();
            services.TryAddSingleton(sp =>
            {
                NodeOptions options = Options(sp);
                return new ConsensusFollower(
                    AuthoritySet.Read(options.AuthoritiesFile),
                    sp.GetRequiredService<NodeKeyStore>(),
                    sp.GetRequiredService<EpochClock>(),
                    NodeOptionsValidator.ResolveGeometry(options.Geometry)!,
                    new ConsensusCache(options.StateDirectory, options.TopologyPath),
                    options.Authorities,
                    sp.GetRequiredService<ConsensusMetrics>(),
                    sp.GetRequiredService<ILogger<ConsensusFollower>>(),
                    sp.GetService<HttpMessageHandler>());
            });
            services.TryAddSingleton<ITopologySource>(sp => sp.GetRequiredService<ConsensusFollower>());
        }
        else
        {
            services.TryAddSingleton(sp =>
            {
                NodeOptions options = Options(sp);
                Bytes32 authority = Bytes32.From(KeyFile.ReadPublic(options.AuthorityPublicKeyPath, KeyType.Ed25519));
                return new TopologyProvider(options.TopologyPath, authority, NodeOptionsValidator.ResolveGeometry(options.Geometry)!, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TopologyProvider>>());
            });
            services.TryAddSingleton<ITopologySource>(sp => sp.GetRequiredService<TopologyProvider>());
        }

        services.TryAddSingleton<IDeliverySink>(sp => string.Equals(Options(sp).Delivery.Sink, "count", StringComparison.OrdinalIgnoreCase)
            ? new CountingDeliverySink()
            : ActivatorUtilities.CreateInstance<MailboxDeliverySink>(sp));
        services.TryAddSingleton(sp => new MixKeyRotationService(sp.GetRequiredService<MixKeyRing>(), sp.GetRequiredService<NodeKeyStore>(), sp.GetRequiredService<EpochClock>(), sp.GetRequiredService<ILogger<MixKeyRotationService>>()));
        services.TryAddSingleton<NodeService>();

        if (followsAuthorities)
        {
            // Keys first: the descriptor uploaded for the next epochs lists mix keys the rotation makes.
            services.AddHostedService(sp => sp.GetRequiredService<MixKeyRotationService>());
            services.AddHostedService(sp => sp.GetRequiredService<ConsensusFollower>());
        }
        else
        {
            services.AddHostedService(sp => sp.GetRequiredService<TopologyProvider>());
            services.AddHostedService(sp => sp.GetRequiredService<MixKeyRotationService>());
        }

        services.AddHostedService(sp => sp.GetRequiredService<NodeService>());
        return services;
    }

    private static NodeOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<NodeOptions>>().Value;
}
