using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Topology;

public sealed class NetworkDocumentTests
{
    private static readonly MixingParameters Mixing = new(50, 0.5);

    [Fact]
    public void Layers_come_from_the_descriptors()
    {
        NetworkDocument document = TestNetwork.Document();
        Assert.Equal(["provider-0", "provider-1"], document.Providers.Select(p => p.Name));
        for (int layer = 0; layer < 3; layer++)
        {
            Assert.Equal([$"mix-{layer}-0", $"mix-{layer}-1"], document.Layers[layer].Select(m => m.Name));
        }
    }

    [Fact]
    public void A_gap_in_the_layer_numbers_is_refused()
    {
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2), TestNetwork.Node("c", NodeRole.Mix, 2, 3)];
        var e = Assert.Throws<TopologyException>(() => TestNetwork.Document(descriptors: nodes));
        Assert.Contains("no mix is in layer 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_link_keys_are_refused_when_building()
    {
        Bytes32 shared = TestNetwork.RandomKey();
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2, linkKey: shared), TestNetwork.Node("b", NodeRole.Mix, 0, 3, linkKey: shared)];
        var e = Assert.Throws<TopologyException>(() => TestNetwork.Document(descriptors: nodes));
        Assert.Contains("duplicate link key: 'a' and 'b'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_covered_epochs_are_the_common_run_reaching_the_current_epoch()
    {
        List<NodeDescriptor> nodes =
        [
            TestNetwork.Node("p", NodeRole.Provider, 0, 1, firstEpoch: 10, epochs: 5),
            TestNetwork.Node("a", NodeRole.Mix, 0, 2, firstEpoch: 11, epochs: 6),
        ];
        NetworkDocument document = NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, currentEpoch: 12);
        Assert.Equal(new EpochRange(11, 14), document.EpochsCovered);
    }

    [Fact]
    public void Keys_only_for_past_epochs_are_refused()
    {
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2)];
        var e = Assert.Throws<TopologyException>(() =>
            NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, TestNetwork.FirstEpoch + 10));
        Assert.Contains("no common mix keys for the current epoch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_only_for_far_future_epochs_are_refused()
    {
        List<NodeDescriptor> nodes = [TestNetwork.Node("p", NodeRole.Provider, 0, 1), TestNetwork.Node("a", NodeRole.Mix, 0, 2)];
        Assert.Throws<TopologyException>(() =>
            NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, TestNetwork.FirstEpoch - 2));
        NetworkDocument next = NetworkDocument.Create(nodes, SphinxGeometry.Default, Mixing, EpochClock.DefaultPeriod, TestNetwork.FirstEpoch - 1);
        Assert.Equal(TestNetwork.FirstEpoch, next.EpochsCovered.First);
    }

    [Fact]
    public void A_mixnet_without_mixes_or_providers_is_refused()
    {
        Assert.Contains("no mix layer", Assert.Throws<TopologyException>(() =>
            TestNetwork.Document(descriptors: [TestNetwork.Node("p", NodeRole.Provider, 0, 1)])).Message, StringComparison.Ordinal);
        Assert.Contains("no provider", Assert.Throws<TopologyException>(() =>
            TestNetwork.Document(descriptors: [TestNetwork.Node("a", NodeRole.Mix, 0, 1)])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mixing_strategy_and_pool_survive_the_json_round_trip()
    {
        var pool = new PoolParameters(TimeSpan.FromMilliseconds(250), 500, 30, 0.6);
        var mixing = new MixingParameters(40, 2, MixingStrategy.TimedPool, pool, clientPayloadRatePerSecond: 5, clientLoopRatePerSecond: 1.5);
        NetworkDocument document = NetworkDocument.Create(TestNetwork.Descriptors(), SphinxGeometry.Default, mixing, EpochClock.DefaultPeriod, TestNetwork.FirstEpoch);
        using var json = System.Text.Json.JsonDocument.Parse(document.ToUtf8Json());
        NetworkDocument parsed = NetworkDocument.Parse(json.RootElement);
        Assert.Equal(MixingStrategy.TimedPool, parsed.Mixing.Strategy);
        Assert.Equal(pool, parsed.Mixing.Pool);
        Assert.Equal(5, parsed.Mixing.ClientPayloadRatePerSecond);
        Assert.Equal(1.5, parsed.Mixing.ClientLoopRatePerSecond);
        Assert.Equal(800, parsed.Mixing.MaxDelayMs);
        Assert.False(parsed.Mixing.ClientsDrawDelays);
    }

    [Fact]
    public void A_document_without_a_strategy_is_a_poisson_network()
    {
        string json = System.Text.Encoding.UTF8.GetString(TestNetwork.Document().ToUtf8Json());
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var mixingObject = node["mixing"]!.AsObject();
        mixingObject.Remove("strategy");
        mixingObject.Remove("client_payload_rate_per_sec");
        mixingObject.Remove("client_loop_rate_per_sec");
        using var parsed = System.Text.Json.JsonDocument.Parse(node.ToJsonString());
        MixingParameters mixing = NetworkDocument.Parse(parsed.RootElement).Mixing;
        Assert.Equal(MixingStrategy.Poisson, mixing.Strategy);
        Assert.Null(mixing.Pool);
        Assert.Equal(MixingParameters.DefaultClientPayloadRatePerSecond, mixing.ClientPayloadRatePerSecond);
        Assert.Equal(1000, mixing.MaxDelayMs);
    }

    [Theory]
    [InlineData("\"strategy\": \"shuffle\"", "mixing: field 'strategy'")]
    [InlineData("\"strategy\": \"timed-pool\"", "missing field 'pool'")]
    [InlineData("\"strategy\": \"timed-pool\", \"pool\": {\"interval_ms\": 0, \"threshold\": 0, \"min_pool\": 0, \"fraction\": 1}", "mixing.pool.interval_ms must be above 0 or mixing.pool.threshold above 0")]
    [InlineData("\"strategy\": \"timed-pool\", \"pool\": {\"interval_ms\": 100, \"threshold\": 0, \"min_pool\": 0, \"fraction\": 0}", "mixing.pool.fraction")]
    [InlineData("\"strategy\": \"timed-pool\", \"pool\": {\"interval_ms\": 100, \"threshold\": 0, \"min_pool\": -3, \"fraction\": 1}", "mixing.pool.min_pool")]
    [InlineData("\"strategy\": \"poisson\", \"client_loop_rate_per_sec\": -1", "mixing.client_loop_rate_per_sec")]
    public void Bad_mixing_settings_are_refused_naming_the_field(string fields, string expected)
    {
        string json = System.Text.Encoding.UTF8.GetString(TestNetwork.Document().ToUtf8Json());
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var mixingObject = node["mixing"]!.AsObject();
        mixingObject.Remove("strategy");
        mixingObject.Remove("client_loop_rate_per_sec");
        var extra = System.Text.Json.Nodes.JsonNode.Parse("{" + fields + "}")!.AsObject();
        foreach (var (name, value) in extra.ToList())
        {
            extra.Remove(name);
            mixingObject[name] = value;
        }

        using var parsed = System.Text.Json.JsonDocument.Parse(node.ToJsonString());
        var e = Assert.Throws<TopologyException>(() => NetworkDocument.Parse(parsed.RootElement));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
