using System.Diagnostics;
using System.Globalization;
using Mixnode.Cli.Testnet;

namespace Mixnode.Cli.Tests.Testnet;

/// <summary>The readiness poller against fake management endpoints: what it waits for, and that the wait is bounded.</summary>
public sealed class ReadinessPollerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    /// <summary>A planned mix; the tests give it a name and point its management address at a fake endpoint.</summary>
    private static readonly TestnetNode Template =
        TestnetGenerator.Plan(new TestnetSettings(Path.GetTempPath(), Layers: 1, PerLayer: 1, Providers: 1), Path.GetTempPath())[1];

    [Fact]
    public async Task A_node_answering_503_and_then_200_is_waited_for_and_shows_its_failing_check_meanwhile()
    {
        await using var endpoint = FakeReadinessEndpoint.Start(n => n < 3 ? (503, FakeReadinessEndpoint.NotReadyBody) : (200, """{"status":"Healthy"}"""));
        TestnetNode node = Node("mix-0-0", endpoint.Address);
        using var poller = new ReadinessPoller([node], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);
        var seen = new List<string>();

        ReadinessWaitResult result = await poller.WaitUntilAllReadyAsync(Generous, Interval, () => Record(seen, poller.Current(node).Summary), CancellationToken.None);

        Assert.Equal(ReadinessWaitResult.AllReady, result);
        Assert.True(poller.AllReady);
        Assert.Empty(poller.Pending);
        Assert.Equal(["not ready: next_layer", "ready"], seen);
        Assert.Equal(4, endpoint.Requests);
    }

    [Fact]
    public async Task A_node_that_never_becomes_ready_ends_the_wait_at_the_bound_named_with_its_failing_checks()
    {
        await using var ready = FakeReadinessEndpoint.Start(_ => (200, "{}"));
        await using var stuck = FakeReadinessEndpoint.Start(_ => (503, FakeReadinessEndpoint.NotReadyBody));
        TestnetNode provider = Node("provider-0", ready.Address);
        TestnetNode mix = Node("mix-2-0", stuck.Address);
        using var poller = new ReadinessPoller([provider, mix], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);

        var stopwatch = Stopwatch.StartNew();
        ReadinessWaitResult result = await poller.WaitUntilAllReadyAsync(TimeSpan.FromSeconds(1), Interval, () => true, CancellationToken.None);

        Assert.Equal(ReadinessWaitResult.TimedOut, result);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10));
        (TestnetNode node, NodeReadiness readiness) = Assert.Single(poller.Pending);
        Assert.Equal("mix-2-0", node.Name);
        Assert.Equal(NodeReadinessState.NotReady, readiness.State);
        Assert.Equal(["next_layer"], readiness.FailingChecks);
        Assert.Equal("failing checks: next_layer (HTTP 503)", readiness.Explanation);
        Assert.True(poller.Current(provider).IsReady);
    }

    [Fact]
    public async Task Connection_refused_keeps_the_wait_going_until_the_endpoint_answers()
    {
        int port = FakeReadinessEndpoint.UnusedPort();
        TestnetNode node = Node("mix-0-0", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"));
        using var poller = new ReadinessPoller([node], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);
        var refusals = new List<NodeReadiness>();
        FakeReadinessEndpoint? endpoint = null;
        try
        {
            ReadinessWaitResult result = await poller.WaitUntilAllReadyAsync(Generous, Interval, () =>
            {
                NodeReadiness current = poller.Current(node);
                if (!current.IsReady)
                {
                    refusals.Add(current);
                }

                // The node's endpoint comes up after a few refused rounds, as a starting node's does.
                if (refusals.Count == 5 && endpoint is null)
                {
                    endpoint = FakeReadinessEndpoint.Start(_ => (200, "{}"), port);
                }

                return true;
            }, CancellationToken.None);

            Assert.Equal(ReadinessWaitResult.AllReady, result);
            Assert.True(refusals.Count >= 5);
            Assert.All(refusals, r => Assert.Equal(NodeReadinessState.Starting, r.State));
            Assert.All(refusals, r => Assert.Equal("starting", r.Summary));
            Assert.Contains("refused", refusals[0].Problem, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (endpoint is not null)
            {
                await endpoint.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_times_out_as_never_answered()
    {
        TestnetNode node = Node("provider-1", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{FakeReadinessEndpoint.UnusedPort()}"));
        using var poller = new ReadinessPoller([node], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);

        ReadinessWaitResult result = await poller.WaitUntilAllReadyAsync(TimeSpan.FromMilliseconds(500), Interval, () => true, CancellationToken.None);

        Assert.Equal(ReadinessWaitResult.TimedOut, result);
        NodeReadiness readiness = Assert.Single(poller.Pending).Readiness;
        Assert.StartsWith("never answered (", readiness.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_hangs_is_cut_at_the_request_timeout()
    {
        await using var hung = FakeReadinessEndpoint.Start(_ => (0, ""));
        TestnetNode node = Node("mix-0-0", hung.Address);
        using var poller = new ReadinessPoller([node], TimeProvider.System, TimeSpan.FromMilliseconds(300));

        var stopwatch = Stopwatch.StartNew();
        await poller.PollOnceAsync(CancellationToken.None);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"one round took {stopwatch.Elapsed}");
        NodeReadiness readiness = poller.Current(node);
        Assert.Equal(NodeReadinessState.Starting, readiness.State);
        Assert.Equal("no response within 0.3 s", readiness.Problem);
    }

    [Fact]
    public async Task A_node_that_was_ready_and_then_fails_a_check_or_stops_answering_shows_not_ready()
    {
        var endpoint = FakeReadinessEndpoint.Start(n => n == 0 ? (200, "{}") : (503, FakeReadinessEndpoint.NotReadyBody));
        TestnetNode node = Node("mix-1-0", endpoint.Address);
        using var poller = new ReadinessPoller([node], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);

        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal("ready", poller.Current(node).Summary);

        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal("not ready: next_layer", poller.Current(node).Summary);
        Assert.False(poller.AllReady);

        await endpoint.DisposeAsync();
        await poller.PollOnceAsync(CancellationToken.None);
        NodeReadiness gone = poller.Current(node);
        Assert.Equal(NodeReadinessState.NotReady, gone.State);
        Assert.StartsWith("not ready: no answer: ", gone.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_ready_with_a_degraded_check_says_which_and_the_testnet_waits_for_it_to_be_fully_linked()
    {
        await using var endpoint = FakeReadinessEndpoint.Start(_ => (200, """{"status":"Degraded","checks":{"keys":"Healthy","next_layer":"Degraded"}}"""));
        TestnetNode node = Node("mix-0-0", endpoint.Address);
        using var poller = new ReadinessPoller([node], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);

        await poller.PollOnceAsync(CancellationToken.None);

        // Ready to its probes (200), but a fresh local network waits for every link before nodes.json.
        Assert.True(poller.Current(node).IsReady);
        Assert.False(poller.AllReady);
        Assert.Equal([node], poller.Pending.Select(p => p.Node));
        Assert.Equal("ready (degraded: next_layer)", poller.Current(node).Summary);
    }

    [Fact]
    public async Task The_caller_can_end_the_wait_after_any_round()
    {
        await using var stuck = FakeReadinessEndpoint.Start(_ => (503, "not json"));
        TestnetNode node = Node("mix-0-0", stuck.Address);
        using var poller = new ReadinessPoller([node], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);
        int rounds = 0;

        ReadinessWaitResult result = await poller.WaitUntilAllReadyAsync(Generous, Interval, () => ++rounds < 3, CancellationToken.None);

        Assert.Equal(ReadinessWaitResult.Aborted, result);
        Assert.Equal(3, rounds);

        // A body that is not JSON still says "not ready", by its status.
        Assert.Equal("not ready: HTTP 503", poller.Current(node).Summary);
    }

    [Fact]
    public async Task Cancellation_ends_the_wait()
    {
        TestnetNode node = Node("mix-0-0", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{FakeReadinessEndpoint.UnusedPort()}"));
        using var poller = new ReadinessPoller([node], TimeProvider.System, ReadinessPoller.DefaultRequestTimeout);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        ReadinessWaitResult result = await poller.WaitUntilAllReadyAsync(Generous, Interval, () => true, cancellation.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ReadinessWaitResult.Aborted, result);
    }

    [Theory]
    [InlineData("""{"status":"Unhealthy","checks":{"keys":"Healthy","network":"Healthy","listeners":"Unhealthy","next_layer":"Degraded","warm_up":"Unhealthy"}}""", "listeners,next_layer,warm_up")]
    [InlineData("""{"status":"Unhealthy","checks":{"next_layer":{"status":"Unhealthy","description":"none up"},"keys":{"status":"Healthy"}}}""", "next_layer")]
    [InlineData("""{"status":"Healthy","checks":{}}""", "")]
    [InlineData("""{"status":"Unhealthy"}""", "")]
    [InlineData("Service Unavailable", "")]
    [InlineData("", "")]
    public void Failing_checks_are_read_from_the_body(string body, string expected)
    {
        Assert.Equal(expected, string.Join(",", ReadinessPoller.FailingChecks(body)));
    }

    private static bool Record(List<string> seen, string summary)
    {
        if (seen.Count == 0 || seen[^1] != summary)
        {
            seen.Add(summary);
        }

        return true;
    }

    private static TestnetNode Node(string name, string managementAddress) =>
        Template with { Name = name, ManagementAddress = managementAddress };
}
