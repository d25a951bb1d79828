using System.Globalization;
using Spectre.Console;

namespace Mixnode.Cli.Loadgen;

/// <summary>One progress reading: counts so far and the send rate over the last interval.</summary>
internal readonly record struct ProgressSnapshot(string Phase, double ElapsedSeconds, long Sent, long Delivered, long Duplicates, double CurrentRate)
{
    /// <summary>Sent but not delivered yet (lost if they never come).</summary>
    public long Outstanding => Sent - Delivered;
}

/// <summary>
/// Shows progress while a run goes: a live Spectre table on an interactive terminal, one plain line per reading
/// when output is redirected or captured (so logs and tests get text, not cursor movement).
/// </summary>
internal sealed class LoadgenProgress
{
    private readonly TextWriter _output;
    private readonly bool _live;

    public LoadgenProgress(TextWriter output)
    {
        _output = output;
        _live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
    }

    public bool IsLive => _live;

    /// <summary>Runs <paramref name="work"/>, which calls the given callback with each new reading.</summary>
    public async Task RunAsync(Func<Action<ProgressSnapshot>, Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!_live)
        {
            await work(WriteLine).ConfigureAwait(false);
            return;
        }

        var table = new Table().AddColumns("phase", "s", "sent", "delivered", "lost/in flight", "dups", "rate/s");
        table.AddRow("starting", "0", "0", "0", "0", "0", "0");
        await AnsiConsole.Live(table).StartAsync(async context =>
        {
            await work(snapshot =>
            {
                var c = CultureInfo.InvariantCulture;
                table.UpdateCell(0, 0, snapshot.Phase);
                table.UpdateCell(0, 1, snapshot.ElapsedSeconds.ToString("F1", c));
                table.UpdateCell(0, 2, snapshot.Sent.ToString(c));
                table.UpdateCell(0, 3, snapshot.Delivered.ToString(c));
                table.UpdateCell(0, 4, snapshot.Outstanding.ToString(c));
                table.UpdateCell(0, 5, snapshot.Duplicates.ToString(c));
                table.UpdateCell(0, 6, snapshot.CurrentRate.ToString("F1", c));
                context.Refresh();
            }).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>The final numbers as a table (Spectre on a terminal, aligned text otherwise).</summary>
    public void WriteReport(LoadgenReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        (string, string)[] rows =
        [
            ("sent", report.Sent.ToString(c)),
            ("delivered", report.Delivered.ToString(c)),
            ("lost", report.Lost.ToString(c)),
            ("duplicates", report.Duplicates.ToString(c)),
            ("throughput /s", report.ThroughputPerSecond.ToString("F1", c)),
            ("latency p50/p90/p99/p99.9/max ms", Format(report.LatencyMs)),
            ("  corrected (from scheduled send) ms", Format(report.LatencyCorrectedMs)),
            ("latency − delays p50/p90/p99/p99.9/max ms", Format(report.LatencyMinusDelaysMs)),
            ("clients, rate /s, duration s", string.Create(c, $"{report.Clients}, {report.Rate}, {report.DurationSeconds}")),
            ("prebuilt", report.Prebuilt ? "yes" : "no"),
        ];
        if (report.Misdelivered > 0)
        {
            rows = [.. rows, ("misdelivered", report.Misdelivered.ToString(c))];
        }

        if (report.EpochsSeen is { } epochs)
        {
            rows = [.. rows, ("epoch changes seen, packets rebuilt", string.Create(c, $"{epochs}, {report.PacketsRebuilt ?? 0}"))];
        }

        if (report.Cover)
        {
            rows =
            [
                .. rows,
                ("cover λP, λL per client /s", string.Create(c, $"{report.PayloadRatePerClient:0.###}, {report.LoopRatePerClient:0.###}")),
                ("drops sent", report.DropsSent.ToString(c)),
                ("loops sent / returned", string.Create(c, $"{report.LoopsSent} / {report.LoopsReturned}")),
                ("queue wait p50/p90/p99/p99.9/max ms", report.QueueWaitMs is { } wait ? Format(wait) : "-"),
                ("queue full (messages refused)", report.QueueRejected.ToString(c)),
            ];
        }

        rows =
        [
            .. rows,
            ("anonymity (timing) bits", report.AnonymityBits is { } bits
                ? string.Create(c, $"{bits:F2} (≈ {Math.Pow(2, bits):F0} equally likely sends; {report.AnonymityCandidatesMean:F0} in window; {report.AnonymityScored} deliveries scored)")
                : report.AnonymityNote ?? "-"),
        ];
        if (_live)
        {
            var table = new Table().AddColumns("result", "value");
            foreach ((string name, string value) in rows)
            {
                table.AddRow(Markup.Escape(name), Markup.Escape(value));
            }

            AnsiConsole.Write(table);
            return;
        }

        foreach ((string name, string value) in rows)
        {
            _output.WriteLine($"{name,-41} {value}");
        }
    }

    private void WriteLine(ProgressSnapshot s) =>
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{s.Phase}] {s.ElapsedSeconds:F1} s: sent {s.Sent}, delivered {s.Delivered}, lost so far {s.Outstanding} (incl. in flight), duplicates {s.Duplicates}, send rate {s.CurrentRate:F1}/s"));

    private static string Format(LatencySummary summary) =>
        string.Join(" / ", new[] { summary.P50, summary.P90, summary.P99, summary.P99_9, summary.Max }.Select(v => v is { } x ? x.ToString("F1", CultureInfo.InvariantCulture) : "-"));
}
