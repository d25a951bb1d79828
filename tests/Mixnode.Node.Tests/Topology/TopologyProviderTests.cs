using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Node.Tests.Topology;

public sealed class TopologyProviderTests : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly Key _authority = TestNetwork.NewAuthority();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger<TopologyProvider> _logger = new();

    private string Path => _dir.Combine("topology.json");

    public void Dispose()
    {
        _authority.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Start_loads_the_document()
    {
        Write(TestNetwork.Document());
        using TopologyProvider provider = NewProvider();
        provider.Start();
        Assert.Equal(8, provider.Current.NodeCount);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Information && r.Message.Contains("loaded", StringComparison.Ordinal));
    }

    [Fact]
    public void Current_before_start_is_an_error()
    {
        using TopologyProvider provider = NewProvider();
        Assert.Throws<InvalidOperationException>(() => provider.Current);
    }

    [Fact]
    public void A_missing_file_is_refused_at_start()
    {
        using TopologyProvider provider = NewProvider();
        var e = Assert.Throws<TopologyException>(provider.Start);
        Assert.Contains("cannot read the network document", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_foreign_authority_is_refused_at_start()
    {
        using Key other = TestNetwork.NewAuthority();
        File.WriteAllBytes(Path, SignedNetworkDocument.Sign(TestNetwork.Document(), other));
        using TopologyProvider provider = NewProvider();
        var e = Assert.Throws<TopologyException>(provider.Start);
        Assert.Contains("none of the expected authorities", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_geometry_unlike_the_nodes_is_refused_at_start()
    {
        Write(TestNetwork.Document(SphinxGeometry.KatzenpostVectors));
        using TopologyProvider provider = NewProvider();
        var e = Assert.Throws<TopologyException>(provider.Start);
        Assert.Contains("geometry (5 hops, 611-byte packets) differs from this node's (5 hops, 3082-byte packets)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newly_signed_file_is_picked_up_by_the_poll()
    {
        Write(TestNetwork.Document());
        using TopologyProvider provider = NewProvider();
        provider.Start();
        NetworkTopology first = provider.Current;
        var changes = new List<NetworkTopology>();
        provider.Changed += changes.Add;

        _time.Advance(Poll);
        Assert.Empty(changes);

        Write(TestNetwork.Document(descriptors: TestNetwork.Descriptors(2)));
        _time.Advance(Poll);
        Assert.NotSame(first, provider.Current);
        Assert.Equal(2, provider.Current.Layers.Length);
        Assert.Equal([provider.Current], changes);
    }

    [Fact]
    public void A_corrupt_or_foreign_file_is_logged_and_ignored()
    {
        Write(TestNetwork.Document());
        using TopologyProvider provider = NewProvider();
        provider.Start();
        NetworkTopology first = provider.Current;
        var changes = new List<NetworkTopology>();
        provider.Changed += changes.Add;

        File.WriteAllText(Path, "{ this is not json");
        Assert.False(provider.Reload());
        Assert.Same(first, provider.Current);

        Write(TestNetwork.Document(SphinxGeometry.KatzenpostVectors));
        _time.Advance(Poll);
        Assert.Same(first, provider.Current);
        Assert.Empty(changes);

        var warnings = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("not valid JSON", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("geometry", warnings[1].Message, StringComparison.Ordinal);

        // The unchanged bad file is not re-verified or re-logged on every poll.
        _time.Advance(Poll);
        Assert.Equal(2, _logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Warning));

        Write(TestNetwork.Document(descriptors: TestNetwork.Descriptors(1)));
        Assert.True(provider.Reload());
        Assert.Single(provider.Current.Layers);
    }

    [Fact]
    public async Task The_file_watcher_reloads_without_waiting_for_the_poll()
    {
        Write(TestNetwork.Document());
        using var provider = new TopologyProvider(Path, TestNetwork.PublicKeyOf(_authority), SphinxGeometry.Default, TimeProvider.System, _logger, TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(50));
        provider.Start();
        var changed = new TaskCompletionSource<NetworkTopology>(TaskCreationOptions.RunContinuationsAsynchronously);
        provider.Changed += t => changed.TrySetResult(t);

        Write(TestNetwork.Document(descriptors: TestNetwork.Descriptors(1)));
        NetworkTopology reloaded = await changed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Single(reloaded.Layers);
    }

    private TopologyProvider NewProvider() =>
        new(Path, TestNetwork.PublicKeyOf(_authority), SphinxGeometry.Default, _time, _logger, Poll, TimeSpan.FromMilliseconds(100));

    private void Write(NetworkDocument document) =>
        KeyFile.WriteAtomically(Path, SignedNetworkDocument.Sign(document, _authority), KeyFile.PublicMode);
}
