using System.Diagnostics.Metrics;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>The exporter's naming rules as <see cref="PrometheusNames"/> applies them, and the names the node has.</summary>
public sealed class PrometheusNamesTests
{
    /// <summary>
    /// The runtime's series as a .NET 10 node exports them (OpenTelemetry.Instrumentation.Runtime, which on .NET 9+
    /// exports the runtime's own meter System.Runtime), copied from a scrape of a testnet node's /metrics. Listed by
    /// hand because the runtime, not the node, creates them; <see cref="RuntimeAllowList_names_come_from_the_runtime_meter"/>
    /// checks them against that meter when the runtime publishes it.
    /// </summary>
    internal static readonly IReadOnlySet<string> RuntimeSeries = new HashSet<string>(StringComparer.Ordinal)
    {
        "dotnet_assembly_count",
        "dotnet_gc_collections_total",
        "dotnet_gc_heap_total_allocated_bytes_total",
        "dotnet_gc_last_collection_heap_fragmentation_size_bytes",
        "dotnet_gc_last_collection_heap_size_bytes",
        "dotnet_gc_last_collection_memory_committed_size_bytes",
        "dotnet_gc_pause_time_seconds_total",
        "dotnet_jit_compilation_time_seconds_total",
        "dotnet_jit_compiled_il_size_bytes_total",
        "dotnet_jit_compiled_methods_total",
        "dotnet_monitor_lock_contentions_total",
        "dotnet_process_cpu_count",
        "dotnet_process_cpu_time_seconds_total",
        "dotnet_process_memory_working_set_bytes",
        "dotnet_thread_pool_queue_length",
        "dotnet_thread_pool_thread_count",
        "dotnet_thread_pool_work_item_count_total",
        "dotnet_timer_count",
        "dotnet_exceptions_total",
    };

    [Theory]
    [InlineData("mixnode.packets.received", "{packet}", "Counter", "mixnode_packets_received_total")]
    [InlineData("mixnode.links.active", "{link}", "Gauge", "mixnode_links_active")]
    [InlineData("mixnode.epoch", "{epoch}", "Gauge", "mixnode_epoch")]
    [InlineData("mixnode.replay.filter.fill_ratio", "1", "Gauge", "mixnode_replay_filter_fill_ratio")]
    [InlineData("mixnode.replay.filter.fill", "1", "Gauge", "mixnode_replay_filter_fill_ratio")]
    [InlineData("mixnode.some.share", "1", "Counter", "mixnode_some_share_total")]
    [InlineData("dotnet.gc.heap.total_allocated", "By", "Counter", "dotnet_gc_heap_total_allocated_bytes_total")]
    [InlineData("dotnet.process.cpu.time", "s", "Counter", "dotnet_process_cpu_time_seconds_total")]
    [InlineData("dotnet.thread_pool.queue.length", "{work_item}", "Gauge", "dotnet_thread_pool_queue_length")]
    [InlineData("io", "By/s", "Gauge", "io_bytes_per_second")]
    [InlineData("a..b--c", null, "Gauge", "a_b_c")]
    [InlineData("already_total", "{x}", "Counter", "already_total")]
    public void Names_follow_the_exporter_rules(string instrument, string? unit, string kind, string expected) =>
        Assert.Equal([expected], PrometheusNames.For(instrument, unit, Enum.Parse<PrometheusNames.Kind>(kind)));

    [Fact]
    public void A_histogram_is_its_bucket_sum_and_count_series() =>
        Assert.Equal(
            ["mixnode_unwrap_duration_seconds_bucket", "mixnode_unwrap_duration_seconds_sum", "mixnode_unwrap_duration_seconds_count"],
            PrometheusNames.For("mixnode.unwrap.duration", "s", PrometheusNames.Kind.Histogram));

    [Fact]
    public void Instrument_kinds_come_from_their_types()
    {
        using var meter = new Meter("Mixnode.Cli.Tests.Packaging.Kinds");
        Assert.Equal(PrometheusNames.Kind.Counter, PrometheusNames.KindOf(meter.CreateCounter<long>("c")));
        Assert.Equal(PrometheusNames.Kind.Counter, PrometheusNames.KindOf(meter.CreateObservableCounter("oc", () => 1L)));
        Assert.Equal(PrometheusNames.Kind.Gauge, PrometheusNames.KindOf(meter.CreateUpDownCounter<int>("u")));
        Assert.Equal(PrometheusNames.Kind.Gauge, PrometheusNames.KindOf(meter.CreateObservableUpDownCounter("ou", () => 1L)));
        Assert.Equal(PrometheusNames.Kind.Gauge, PrometheusNames.KindOf(meter.CreateObservableGauge("og", () => 1.0)));
        Assert.Equal(PrometheusNames.Kind.Gauge, PrometheusNames.KindOf(meter.CreateGauge<double>("g")));
        Assert.Equal(PrometheusNames.Kind.Histogram, PrometheusNames.KindOf(meter.CreateHistogram<double>("h")));
    }

    [Fact]
    public void NodeMetrics_instruments_are_found_and_named_mixnode()
    {
        IReadOnlyList<Instrument> instruments = PrometheusNames.NodeInstruments();
        Assert.Contains(instruments, i => i.Name == "mixnode.packets.received");
        Assert.All(instruments, i => Assert.StartsWith("mixnode.", i.Name, StringComparison.Ordinal));
        Assert.All(PrometheusNames.NodeSeriesNames(), name => Assert.Matches("^mixnode_[a-z0-9_]+$", name));
        Assert.Contains("mixnode_packets_dropped_total", PrometheusNames.NodeSeriesNames());
        Assert.Contains("mixnode_unwrap_duration_seconds_bucket", PrometheusNames.NodeSeriesNames());
    }

    [Fact]
    public void RuntimeAllowList_names_come_from_the_runtime_meter()
    {
        IReadOnlyList<Instrument> runtime = PrometheusNames.InstrumentsOf("System.Runtime");
        if (runtime.Count == 0)
        {
            // This runtime publishes no System.Runtime meter to listeners; the list is then taken as written.
            return;
        }

        var derived = runtime.SelectMany(PrometheusNames.For).ToHashSet(StringComparer.Ordinal);
        Assert.All(RuntimeSeries, name => Assert.Contains(name, derived));
    }
}
