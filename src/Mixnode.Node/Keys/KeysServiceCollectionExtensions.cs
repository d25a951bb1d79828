using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Mixnode.Links.Wire;
using Mixnode.Links;
using Mixnode.Pki;

namespace Mixnode.Node.Keys;

/// <summary>Wires key management into a host: the epoch clock, the key store, the mix key ring and its rotation.</summary>
internal static class KeysServiceCollectionExtensions
{
    /// <param name="directory">The node's key directory (as made by <c>mixnode keygen</c>).</param>
    /// <param name="epochPeriod">The network's epoch period (the topology's <c>epoch_period_seconds</c>).</param>
    /// <param name="generateMissing">Whether a running node creates mix keys it lacks for the current and next epoch.</param>
    public static IServiceCollection AddNodeKeys(this IServiceCollection services, string directory, TimeSpan epochPeriod, bool generateMissing = true)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new EpochClock(sp.GetRequiredService<TimeProvider>(), epochPeriod));
        services.TryAddSingleton(_ => new NodeKeyStore(directory));
        services.TryAddSingleton(sp => new MixKeyRing(sp.GetRequiredService<NodeKeyStore>(), sp.GetRequiredService<EpochClock>(), generateMissing));
        services.TryAddSingleton(sp => new MixKeyRotationService(
            sp.GetRequiredService<MixKeyRing>(),
            sp.GetRequiredService<NodeKeyStore>(),
            sp.GetRequiredService<EpochClock>(),
            sp.GetRequiredService<ILogger<MixKeyRotationService>>()));
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<MixKeyRotationService>());
        return services;
    }
}
