using System.Text.Json;
using System.Text.RegularExpressions;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>config/grafana/mixnode-dashboard.json: valid, and every metric its queries name is one a node exports.</summary>
public sealed partial class DashboardTests
{
    private static readonly string DashboardPath = Path.Combine(RepositoryFiles.Root(), "config", "grafana", "mixnode-dashboard.json");

    [Fact]
    public void Every_metric_in_the_dashboard_is_exported_by_the_node_or_an_authority()
    {
        IReadOnlySet<string> node = PrometheusNames.NodeSeriesNames();
        IReadOnlySet<string> authority = PrometheusNames.AuthoritySeriesNames();
        var used = Queries().SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("mixnode_packets_received_total", used);

        string[] unknown = [.. used.Where(name => !node.Contains(name) && !authority.Contains(name) && !PrometheusNamesTests.RuntimeSeries.Contains(name)).Order(StringComparer.Ordinal)];
        Assert.True(
            unknown.Length == 0,
            $"the dashboard queries metrics neither a node nor an authority exports: {string.Join(", ", unknown)}; the node's are: {string.Join(", ", node.Order(StringComparer.Ordinal))}; an authority's: {string.Join(", ", authority.Order(StringComparer.Ordinal))}");
    }

    [Fact]
    public void The_consensus_panels_show_every_authority_metric_and_the_nodes_consensus_metrics()
    {
        var used = Queries().SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        // Every series an authority exports has a panel: the authorities have no other dashboard.
        string[] missing = [.. PrometheusNames.AuthoritySeriesNames().Where(name => !used.Contains(name)).Order(StringComparer.Ordinal)];
        Assert.True(missing.Length == 0, $"no panel shows {string.Join(", ", missing)}");

        // The node's side of the consensus: the document in force, its age, fetches, uploads, refusals.
        string[] nodeConsensus = ["mixnode_consensus_epoch", "mixnode_consensus_fetch_failures_total", "mixnode_consensus_missed_total", "mixnode_consensus_refused_total", "mixnode_descriptor_uploads_total"];
        Assert.All(nodeConsensus, name => Assert.Contains(name, used));
        Assert.Contains(Queries(), q => q.Contains("mixnode_epoch{", StringComparison.Ordinal) && q.Contains("- max by (instance) (mixnode_consensus_epoch{", StringComparison.Ordinal));
    }

    [Fact]
    public void Per_epoch_panels_use_the_epoch_variable_and_authority_panels_the_authority_variable()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        JsonElement[] variables = [.. dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()];
        Assert.Contains(variables, v => v.GetProperty("name").GetString() == "epoch" && v.GetProperty("type").GetString() == "custom");
        Assert.Contains(variables, v => v.GetProperty("name").GetString() == "authority"
            && v.GetProperty("query").GetProperty("query").GetString()!.Contains("mixnode_authority_", StringComparison.Ordinal));

        // Authorities export no node metric, so the node variables ($job, $instance) would select none of them.
        Assert.All(Queries().Where(q => q.Contains("mixnode_authority_", StringComparison.Ordinal) && !q.StartsWith("label_values", StringComparison.Ordinal)), q =>
        {
            Assert.Contains("instance=~\"$authority\"", q, StringComparison.Ordinal);
            Assert.DoesNotContain("$instance", q, StringComparison.Ordinal);
        });
        Assert.All(Queries().Where(q => q.Contains("increase(", StringComparison.Ordinal)), q => Assert.Contains("[$epoch]", q, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_panel_has_a_unique_id_a_position_and_the_datasource_variable()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        JsonElement root = dashboard.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()));
        Assert.Contains(
            root.GetProperty("templating").GetProperty("list").EnumerateArray(),
            v => v.GetProperty("name").GetString() == "datasource" && v.GetProperty("type").GetString() == "datasource");

        var ids = new HashSet<int>();
        foreach (JsonElement panel in Panels(root))
        {
            Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"panel id {panel.GetProperty("id")} repeats");
            JsonElement grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            if (panel.GetProperty("type").GetString() != "row")
            {
                Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
                Assert.NotEmpty(panel.GetProperty("targets").EnumerateArray());
            }
        }
    }

    [Fact]
    public void Quantiles_come_from_histogram_buckets_summed_by_le()
    {
        string[] quantiles = [.. Queries().Where(q => q.Contains("histogram_quantile", StringComparison.Ordinal))];
        Assert.NotEmpty(quantiles);
        Assert.All(quantiles, q =>
        {
            Assert.Contains("_bucket", q, StringComparison.Ordinal);
            Assert.Matches(@"sum by \((\w+, )*le\)", q);
        });
        Assert.Contains(quantiles, q => q.Contains("mixnode_unwrap_duration_seconds_bucket", StringComparison.Ordinal));
        Assert.Contains(quantiles, q => q.Contains("mixnode_mix_delay_seconds_bucket", StringComparison.Ordinal));
    }

    /// <summary>Every PromQL text in the dashboard: the panels' targets and the template variables' queries.</summary>
    private static List<string> Queries()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var queries = new List<string>();
        foreach (JsonElement panel in Panels(dashboard.RootElement))
        {
            if (panel.TryGetProperty("targets", out JsonElement targets))
            {
                queries.AddRange(targets.EnumerateArray().Select(t => t.GetProperty("expr").GetString() ?? ""));
            }
        }

        foreach (JsonElement variable in dashboard.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.TryGetProperty("query", out JsonElement query))
            {
                queries.Add(query.ValueKind == JsonValueKind.Object ? query.GetProperty("query").GetString() ?? "" : query.GetString() ?? "");
            }
        }

        return queries;
    }

    private static IEnumerable<JsonElement> Panels(JsonElement root)
    {
        foreach (JsonElement panel in root.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out JsonElement nested))
            {
                foreach (JsonElement inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    [GeneratedRegex(@"\b(?:mixnode|dotnet)_[A-Za-z0-9_]+")]
    private static partial Regex MetricName();
}
