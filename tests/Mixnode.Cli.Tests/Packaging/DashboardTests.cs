using System.Text.Json;
using System.Text.RegularExpressions;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>config/grafana/mixnode-dashboard.json: valid, and every metric its queries name is one a node exports.</summary>
public sealed partial class DashboardTests
{
    private static readonly string DashboardPath = Path.Combine(RepositoryFiles.Root(), "config", "grafana", "mixnode-dashboard.json");

    [Fact]
    public void Every_metric_in_the_dashboard_is_exported_by_the_node()
    {
        IReadOnlySet<string> node = PrometheusNames.NodeSeriesNames();
        var used = Queries().SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("mixnode_packets_received_total", used);

        string[] unknown = [.. used.Where(name => !node.Contains(name) && !PrometheusNamesTests.RuntimeSeries.Contains(name)).Order(StringComparer.Ordinal)];
        Assert.True(
            unknown.Length == 0,
            $"the dashboard queries metrics no node exports: {string.Join(", ", unknown)}; the node's are: {string.Join(", ", node.Order(StringComparer.Ordinal))}");
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
