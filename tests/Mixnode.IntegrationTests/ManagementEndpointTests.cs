using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mixnode.IntegrationTests;

/// <summary>
/// The management endpoint of running nodes: what /metrics and /health/* say, and that what they say identifies
/// nobody. The privacy guard here covers what is exported, after traffic (the unit-level guard covers instruments
/// and log templates): every label and every health field must come from a closed allow-list and must not look
/// like an address, a port, a key, an id or a hex string.
/// </summary>
public sealed partial class ManagementEndpointTests
{
    private const string Management = "Mixnode:Management:ListenAddress=127.0.0.1:0";
    private static readonly string[] s_toProvider = ["mix0", "mix1", "provider"];
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Every label the node's metrics may carry, with every value it may take (null: checked by pattern).</summary>
    private static readonly Dictionary<string, string[]?> s_labels = new()
    {
        ["otel_scope_name"] = ["Mixnode", "System.Runtime"],
        ["service_name"] = ["mixnode"],
        ["telemetry_sdk_language"] = ["dotnet"],
        ["telemetry_sdk_name"] = ["opentelemetry"],
        ["telemetry_sdk_version"] = null,
        ["reason"] =
        [
            "malformed", "mac", "replay", "overload", "delay", "no_route", "peer_down", "not_provider", "shutdown",
            "closed", "handshake_timeout", "idle_timeout", "handshake_failed", "unknown_peer", "decrypt_failed",
            "malformed_command", "limit_total", "limit_per_address", "peer_disconnected", "error", "rate_limited", "malformed_packet",
            "removed",

            // Refused consensus documents (PkiRefusal).
            "oversized", "bad_signature", "unknown_signer", "wrong_epoch", "late", "duplicate", "address_policy", "invalid",
            "below_threshold", "rollback", "clock_skew", "equivocation",
        ],
        ["result"] = ["accepted", "refused", "failed"],
        ["direction"] = ["inbound", "outbound"],
        ["queue"] = ["ingress", "mix", "outbound"],
        ["state"] = ["up", "down"],

        // Replay filters, named relative to the current epoch (ReplayFilterKey), never by epoch number or key.
        ["key"] = ["previous", "current", "next"],
        ["le"] = null,
        ["gc_heap_generation"] = ["gen0", "gen1", "gen2", "loh", "poh"],
        ["cpu_mode"] = ["user", "system"],
        ["error_type"] = null,
    };

    private static readonly string[] s_checks = ["keys", "network", "listeners", "next_layer", "warm_up"];
    private static readonly string[] s_statuses = ["Healthy", "Degraded", "Unhealthy"];

    [Fact]
    public async Task After_traffic_every_exported_label_and_health_field_is_from_a_closed_set_and_identifies_nobody()
    {
        using var network = ChainTests.CreateNetwork();
        string[] settings = [Management, "Mixnode:Mixing:LoopRatePerSecond=20"];
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", [.. settings, "Mixnode:Delivery:Sink=count"]);
        await using InProcessNode mix1 = await InProcessNode.StartAsync(network, "mix1", settings);
        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0", settings);
        long epoch = ChainTests.CurrentEpoch(network);
        await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(network, "injector", "mix0", TimeSpan.FromSeconds(10));
        // Enough that the sampled histograms (one packet in 16 per worker) have records at mix0.
        for (int i = 0; i < 160; i++)
        {
            (byte[] packet, _) = PacketFactory.Create(network, epoch, s_toProvider, RandomNumberGenerator.GetBytes(32), delayMs: 5);
            Assert.True(await link.SendAsync(packet));
        }

        // And some that are dropped, so drop reasons are exported too.
        Assert.True(await link.SendAsync(RandomNumberGenerator.GetBytes(network.Geometry.PacketLength)));
        Assert.True(await Eventually.TrueAsync(() => provider.Delivered.Count == 160, TimeSpan.FromSeconds(20)), $"delivered {provider.Delivered.Count} of 160");
        Assert.True(await Eventually.TrueAsync(() => mix0.Dropped("mac") + mix0.Dropped("malformed") == 1, TimeSpan.FromSeconds(10)));

        foreach (InProcessNode node in new[] { provider, mix0, mix1 })
        {
            Uri management = node.Management ?? throw new InvalidOperationException("no management endpoint");
            string metrics = await s_http.GetStringAsync(new Uri(management, "/metrics"));
            AssertOnlyAggregates(metrics);
            foreach (string path in new[] { "/health/live", "/health/ready" })
            {
                using HttpResponseMessage response = await s_http.GetAsync(new Uri(management, path));
                AssertHealthBody(await response.Content.ReadAsStringAsync());
            }
        }

        // What traffic left behind is there: the guard read real series, not an empty page.
        string mix0Metrics = await s_http.GetStringAsync(new Uri(mix0.Management!, "/metrics"));
        Assert.Contains("mixnode_packets_forwarded_total", mix0Metrics, StringComparison.Ordinal);
        Assert.Matches("mixnode_packets_dropped_total\\{otel_scope_name=\"Mixnode\",reason=\"(mac|malformed)\"\\} 1", mix0Metrics);
        Assert.Contains("mixnode_unwrap_duration_seconds_bucket", mix0Metrics, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", mix0Metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_is_ready_only_once_its_links_to_the_next_layer_are_up_and_unknown_paths_are_404()
    {
        using var network = ChainTests.CreateNetwork();
        await using InProcessNode provider = await InProcessNode.StartAsync(network, "provider", Management, "Mixnode:Delivery:Sink=count");
        Uri management = provider.Management!;

        // Its next layer (mix0) is not running: live, not ready, and the body says which check fails.
        using (HttpResponseMessage live = await s_http.GetAsync(new Uri(management, "/health/live")))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        Assert.True(await Eventually.TrueAsync(async () => (await ReadyAsync(management)).Checks["warm_up"] == "Healthy", TimeSpan.FromSeconds(20)));
        (HttpStatusCode status, Dictionary<string, string> checks) = await ReadyAsync(management);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", checks["next_layer"]);
        Assert.Equal(["keys", "listeners", "network", "warm_up"], checks.Where(c => c.Value == "Healthy").Select(c => c.Key).Order());

        await using InProcessNode mix0 = await InProcessNode.StartAsync(network, "mix0");
        Assert.True(await Eventually.TrueAsync(async () => (await ReadyAsync(management)).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(20)));
        Assert.All((await ReadyAsync(management)).Checks.Values, v => Assert.Equal("Healthy", v));

        using HttpResponseMessage unknown = await s_http.GetAsync(new Uri(management, "/admin"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, Dictionary<string, string> Checks)> ReadyAsync(Uri management)
    {
        using HttpResponseMessage response = await s_http.GetAsync(new Uri(management, "/health/ready"));
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!));
    }

    /// <summary>Prometheus text: every sample's labels are known keys with allowed values, and nothing anywhere looks identifying.</summary>
    private static void AssertOnlyAggregates(string metrics)
    {
        int samples = 0;
        foreach (string line in metrics.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            samples++;
            Match sample = Sample().Match(line);
            Assert.True(sample.Success, $"not a Prometheus sample: {line}");
            Assert.Matches("^(mixnode_|dotnet_|target_info)", sample.Groups["name"].Value);
            foreach (Match label in Label().Matches(sample.Groups["labels"].Value))
            {
                string key = label.Groups["key"].Value;
                string value = label.Groups["value"].Value;
                Assert.True(s_labels.TryGetValue(key, out string[]? allowed), $"label {key} is not on the allow-list: {line}");
                if (allowed is not null)
                {
                    Assert.True(allowed.Contains(value), $"label {key}=\"{value}\" is not on the allow-list: {line}");
                }
                else
                {
                    Assert.Matches(key switch
                    {
                        "le" => @"^(\+Inf|[0-9.eE+-]+)$",
                        "error_type" => "^[A-Za-z]*Exception$",
                        _ => @"^[0-9]+\.[0-9]+\.[0-9]+$",
                    }, value);
                }

                AssertNotIdentifying(value, line);
            }
        }

        Assert.True(samples > 20, $"only {samples} samples");
    }

    private static void AssertHealthBody(string body)
    {
        using JsonDocument json = JsonDocument.Parse(body);
        Assert.Equal(["checks", "status"], json.RootElement.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains(json.RootElement.GetProperty("status").GetString(), s_statuses);
        foreach (JsonProperty check in json.RootElement.GetProperty("checks").EnumerateObject())
        {
            Assert.Contains(check.Name, s_checks);
            Assert.Contains(check.Value.GetString(), s_statuses);
        }

        AssertNotIdentifying(body, body);
    }

    private static void AssertNotIdentifying(string value, string context)
    {
        Assert.False(IpAddress().IsMatch(value), $"an address: {context}");
        Assert.False(Port().IsMatch(value), $"a port: {context}");
        Assert.False(Hex().IsMatch(value), $"a hex string (key, id or tag): {context}");
        Assert.False(Base64Key().IsMatch(value), $"a base64 key: {context}");
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex Sample();

    [GeneratedRegex("(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=\"(?<value>(?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Label();

    [GeneratedRegex(@"\b\d{1,3}(\.\d{1,3}){3}\b|\[?[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7}\]?")]
    private static partial Regex IpAddress();

    [GeneratedRegex(@":\d{2,5}\b")]
    private static partial Regex Port();

    [GeneratedRegex("[0-9a-fA-F]{8,}")]
    private static partial Regex Hex();

    [GeneratedRegex("[A-Za-z0-9+/]{40,}={0,2}")]
    private static partial Regex Base64Key();
}
