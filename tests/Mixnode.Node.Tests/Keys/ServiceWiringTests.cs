using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Keys;

/// <summary>The AddXxx extensions give a host working key rotation and topology, started as hosted services.</summary>
public sealed class ServiceWiringTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Keys_and_topology_start_with_the_host()
    {
        var time = new FakeTimeProvider(EpochClock.Origin.AddMinutes(20 * TestNetwork.FirstEpoch));
        var store = new NodeKeyStore(_dir.Combine("node"));
        store.CreateDirectories();
        string topologyPath = _dir.Combine("topology.json");
        using NSec.Cryptography.Key authority = TestNetwork.NewAuthority();
        File.WriteAllBytes(topologyPath, SignedNetworkDocument.Sign(TestNetwork.Document(), authority));

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(time);
        services.AddNodeKeys(store.Directory, EpochClock.DefaultPeriod);
        services.AddNetworkTopology(topologyPath, TestNetwork.PublicKeyOf(authority), SphinxGeometry.Default);
        await using ServiceProvider provider = services.BuildServiceProvider();
        foreach (IHostedService hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        MixKeyRing ring = provider.GetRequiredService<MixKeyRing>();
        Assert.Equal(TestNetwork.FirstEpoch, ring.CurrentEpoch);
        Assert.Equal(8, provider.GetRequiredService<TopologyProvider>().Current.NodeCount);

        time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(TestNetwork.FirstEpoch + 1, ring.CurrentEpoch);

        foreach (IHostedService hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }
}
