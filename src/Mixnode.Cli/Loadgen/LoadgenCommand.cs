using System.CommandLine;

namespace Mixnode.Cli.Loadgen;

/// <summary>
/// <c>mixnode loadgen (--topology FILE | --authorities FILE) --rate R --duration S [--clients C] [--report FILE] [--authority-pub KEY]
/// [--drain-seconds X] [--wait S] [--cover [--payload-rate P] [--loop-rate L]]</c>: real Sphinx traffic through a running network
/// at a Poisson rate, end to end from client to another client's mailbox, with or without Loopix cover, with a report
/// of what arrived, how late, and how well timing hides which send each delivery was.
/// </summary>
internal static class LoadgenCommand
{
    public static Command Create()
    {
        var topology = new Option<string?>("--topology") { Description = "The signed network document (topology.json). Or --authorities." };
        var authorities = new Option<string?>("--authorities")
        {
            Description = "The directory authorities (authorities.json): fetch the verified consensus from them and follow the epochs during the run. Or --topology.",
        };
        var rate = new Option<double>("--rate") { Description = "Messages per second, summed over all clients (Poisson arrivals).", Required = true };
        var duration = new Option<double>("--duration") { Description = "Seconds of sending.", Required = true };
        var clients = new Option<int>("--clients")
        {
            Description = "Clients, each with a fresh key, spread over the providers; each message goes to another one, drawn uniformly.",
            DefaultValueFactory = _ => LoadgenOptions.DefaultClients,
        };
        var report = new Option<string>("--report")
        {
            Description = "JSON report to write; the latency histogram goes beside it as FILE.html and the percentile plot as FILE.png.",
            DefaultValueFactory = _ => LoadgenOptions.DefaultReportPath,
        };
        var authority = new Option<string?>("--authority-pub") { Description = "The topology authority's public key (authority.pub or base64). Default: trust the document's own, with a warning." };
        var drain = new Option<double?>("--drain-seconds") { Description = "How long to wait for stragglers after sending. Default: hops × mean delay × 10 + 2 s." };
        var wait = new Option<double>("--wait")
        {
            Description = "Seconds to wait for providers that refuse connections (a network still starting) before giving up; 0: fail at once.",
            DefaultValueFactory = _ => LoadgenOptions.DefaultWaitSeconds,
        };
        var cover = new Option<bool>("--cover") { Description = "Every client sends as a Loopix client: messages wait for payload slots (λP), drops fill the empty ones, loops (λL) come back to its mailbox." };
        var payloadRate = new Option<double?>("--payload-rate") { Description = "With --cover: λP per client, payload slots per second. Default: the network document's (raised to 1.25 × the per-client message rate if that is not more)." };
        var loopRate = new Option<double?>("--loop-rate") { Description = "With --cover: λL per client, loops per second. Default: the network document's." };
        var command = new Command("loadgen", "Send real Sphinx packets through the network at a Poisson rate and report delivery and latency.")
        {
            topology, authorities, rate, duration, clients, report, authority, drain, wait, cover, payloadRate, loopRate,
        };
        command.SetAction((parse, cancellation) =>
        {
            var options = new LoadgenOptions
            {
                TopologyPath = parse.GetValue(topology),
                AuthoritiesPath = parse.GetValue(authorities),
                Rate = parse.GetValue(rate),
                DurationSeconds = parse.GetValue(duration),
                Clients = parse.GetValue(clients),
                ReportPath = parse.GetValue(report) ?? LoadgenOptions.DefaultReportPath,
                AuthorityPublicKey = parse.GetValue(authority),
                DrainSeconds = parse.GetValue(drain),
                WaitSeconds = parse.GetValue(wait),
                Cover = parse.GetValue(cover),
                PayloadRate = parse.GetValue(payloadRate),
                LoopRate = parse.GetValue(loopRate),
            };
            return new LoadgenRunner(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error).RunAsync(cancellation);
        });
        return command;
    }
}
