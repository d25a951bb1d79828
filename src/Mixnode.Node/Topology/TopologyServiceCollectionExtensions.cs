using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixnode.Sphinx;

namespace Mixnode.Node.Topology;

/// <summary>Wires the signed network document into a host: a <see cref="TopologyProvider"/> started with the host.</summary>
internal static class TopologyServiceCollectionExtensions
{
    /// <param name="path">The signed network document.</param>
    /// <param name="authorityKey">The authority's Ed25519 public key the document must be signed with.</param>
    /// <param name="geometry">This node's geometry; a document with another one is refused.</param>
    public static IServiceCollection AddNetworkTopology(this IServiceCollection services, string path, Bytes32 authorityKey, SphinxGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(geometry);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new TopologyProvider(
            path,
            authorityKey,
            geometry,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TopologyProvider>>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<TopologyProvider>());
        return services;
    }
}
