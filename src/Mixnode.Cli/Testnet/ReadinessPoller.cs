using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// Asks every node's management endpoint (<c>GET /health/ready</c>) whether it is ready, all nodes at once, and keeps
/// the last answer of each. The testnet waits with <see cref="WaitUntilAllReadyAsync"/> before it writes nodes.json,
/// then calls <see cref="PollOnceAsync"/> at the status table's cadence so a node that becomes unready later shows it.
/// </summary>
internal sealed class ReadinessPoller : IDisposable
{
    /// <summary>
    /// Per request: a node on loopback answers in milliseconds or refuses at once; one that takes longer is counted as
    /// not answering rather than holding up the round for every other node.
    /// </summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(1);

    /// <summary>A readiness body is a few hundred bytes; anything far larger is not one and need not be buffered.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Dictionary<TestnetNode, NodeReadiness> _current = [];

    public ReadinessPoller(IReadOnlyList<TestnetNode> nodes, TimeProvider time, TimeSpan requestTimeout)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(time);
        Nodes = nodes;
        _time = time;
        foreach (TestnetNode node in nodes)
        {
            _current[node] = NodeReadiness.Starting;
        }

        // No proxy: the endpoints are on loopback, and an HTTP_PROXY from the environment must not intercept them.
        var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = requestTimeout };
        _http = new HttpClient(handler) { Timeout = requestTimeout, MaxResponseContentBufferSize = MaxBodyBytes };
    }

    public IReadOnlyList<TestnetNode> Nodes { get; }

    /// <summary>
    /// Every node ready with no check even degraded. A node whose next layer is only partly linked answers 200
    /// (degraded), which serves a real network with a peer down; a fresh local network has every peer, so the
    /// testnet waits for all links, and the first packets of a load test find none still connecting.
    /// </summary>
    public bool AllReady => _current.Values.All(IsFullyReady);

    /// <summary>The nodes whose last answer was not "ready" with every check healthy, in the order they were given.</summary>
    public IReadOnlyList<(TestnetNode Node, NodeReadiness Readiness)> Pending =>
        [.. Nodes.Select(n => (n, _current[n])).Where(p => !IsFullyReady(p.Item2))];

    private static bool IsFullyReady(NodeReadiness readiness) => readiness.IsReady && readiness.FailingChecks.Count == 0;

    public NodeReadiness Current(TestnetNode node) => _current.TryGetValue(node, out NodeReadiness? readiness) ? readiness : NodeReadiness.Starting;

    /// <summary>One request to every node, in parallel; returns early without a change when cancelled.</summary>
    public async Task PollOnceAsync(CancellationToken cancellation)
    {
        NodeReadiness[] answers;
        try
        {
            answers = await Task.WhenAll(Nodes.Select(n => ProbeAsync(n, _current[n], cancellation))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return;
        }

        for (int i = 0; i < Nodes.Count; i++)
        {
            _current[Nodes[i]] = answers[i];
        }
    }

    /// <summary>
    /// Polls every <paramref name="interval"/> until every node is ready or <paramref name="bound"/> has passed.
    /// After each round (before deciding) <paramref name="afterRound"/> runs, for the caller to notice exits and redraw;
    /// it returns false to stop waiting.
    /// </summary>
    public async Task<ReadinessWaitResult> WaitUntilAllReadyAsync(TimeSpan bound, TimeSpan interval, Func<bool> afterRound, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(afterRound);
        long start = _time.GetTimestamp();
        while (true)
        {
            await PollOnceAsync(cancellation).ConfigureAwait(false);
            if (cancellation.IsCancellationRequested || !afterRound())
            {
                return ReadinessWaitResult.Aborted;
            }

            if (AllReady)
            {
                return ReadinessWaitResult.AllReady;
            }

            if (_time.GetElapsedTime(start) >= bound)
            {
                return ReadinessWaitResult.TimedOut;
            }

            try
            {
                await Task.Delay(interval, _time, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return ReadinessWaitResult.Aborted;
            }
        }
    }

    /// <summary>
    /// The names of the checks a body reports as other than Healthy: <c>{"checks": {"next_layer": "Unhealthy"}}</c>
    /// (the node's format), or a check given as an object with a <c>status</c>. Empty when the body is not such JSON.
    /// </summary>
    public static IReadOnlyList<string> FailingChecks(string body)
    {
        var failing = new List<string>();
        try
        {
            using JsonDocument json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("checks", out JsonElement checks)
                || checks.ValueKind != JsonValueKind.Object)
            {
                return failing;
            }

            foreach (JsonProperty check in checks.EnumerateObject())
            {
                string? status = check.Value.ValueKind switch
                {
                    JsonValueKind.String => check.Value.GetString(),
                    JsonValueKind.Object when check.Value.TryGetProperty("status", out JsonElement s) && s.ValueKind == JsonValueKind.String => s.GetString(),
                    _ => null,
                };
                if (!string.Equals(status, "Healthy", StringComparison.OrdinalIgnoreCase))
                {
                    failing.Add(check.Name);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the status code alone says not ready.
        }

        return failing;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Before its first answer a node is still coming up; once it has answered, silence means something is wrong.</summary>
    private static NodeReadiness NoAnswer(NodeReadiness previous, string problem) =>
        previous.State == NodeReadinessState.Starting
            ? new NodeReadiness(NodeReadinessState.Starting, [], problem)
            : new NodeReadiness(NodeReadinessState.NotReady, [], "no answer: " + problem);

    private async Task<NodeReadiness> ProbeAsync(TestnetNode node, NodeReadiness previous, CancellationToken cancellation)
    {
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(node.ReadyUrl, cancellation).ConfigureAwait(false);
            string body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                // Ready; a degraded check (some next-layer links down) still answers 200 and is worth showing.
                IReadOnlyList<string> degraded = FailingChecks(body);
                return degraded.Count == 0 ? NodeReadiness.Ready : new NodeReadiness(NodeReadinessState.Ready, degraded, null);
            }

            string status = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}");
            return new NodeReadiness(NodeReadinessState.NotReady, FailingChecks(body), status);
        }
        catch (HttpRequestException e)
        {
            return NoAnswer(previous, e.Message);
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            // HttpClient's own timeout.
            return NoAnswer(previous, string.Create(CultureInfo.InvariantCulture, $"no response within {_http.Timeout.TotalSeconds:0.#} s"));
        }
    }
}
