using System.CommandLine;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>mixnode abuse KIND (--topology FILE | --authorities FILE) --rate R --duration S [--provider NAME] [--clients N]
/// [--messages K] [--flood M] [--delay-ms D] [--port node|client] [--node NAME] [--hold] [--concurrency C]
/// [--sources N] [--start-file FILE] [--allow-remote]</c>: reproduces one of the cheap attacks on a relay (issue 12) against one's own network, so that
/// the defences can be shown to work (docs/security.md, "Abuse and overload measurements"; benchmarks/abuse/run.sh).
/// Only addresses on 127.0.0.0/8 unless --allow-remote.
/// </summary>
internal static class AbuseCommand
{
    public static Command Create()
    {
        var kind = new Argument<string>("KIND") { Description = "identities, mailboxes, victim, long-delays, client-flood, handshakes or slow-readers." };
        kind.AcceptOnlyFromAmong([.. AbuseKinds.ByName.Keys]);
        var topology = new Option<string?>("--topology") { Description = "The signed network document (topology.json). Or --authorities." };
        var authorities = new Option<string?>("--authorities") { Description = "The directory authorities (authorities.json): the network is their current consensus. Or --topology." };
        var authority = new Option<string?>("--authority-pub") { Description = "With --topology: the authority's public key (authority.pub or base64). Default: trust the document's own, with a warning." };
        var provider = new Option<string?>("--provider") { Description = "The provider to aim at (its name in the topology). Default: the first." };
        var rate = new Option<double>("--rate") { Description = "Attempts per second (evenly spaced).", Required = true };
        var duration = new Option<double>("--duration") { Description = "Seconds of abuse; then every socket is closed.", Required = true };
        var clients = new Option<int>("--clients")
        {
            Description = "client-flood, slow-readers: the clients; mailboxes, long-delays, victim: the sending clients. Each has a fresh key and comes back with a new one when the node closes it.",
            DefaultValueFactory = _ => AbuseOptions.DefaultClients,
        };
        var messages = new Option<int>("--messages") { Description = "victim: the victim's own messages, sent before the flood.", DefaultValueFactory = _ => AbuseOptions.DefaultMessages };
        var flood = new Option<int>("--flood") { Description = "victim: the attackers' messages to the victim's id.", DefaultValueFactory = _ => AbuseOptions.DefaultFlood };
        var delay = new Option<uint?>("--delay-ms") { Description = "long-delays: the delay asked of every hop. Default: the longest the network document allows." };
        var port = new Option<string>("--port") { Description = "handshakes: the node's link port (node) or the provider's client port (client).", DefaultValueFactory = _ => "node" };
        port.AcceptOnlyFromAmong("node", "client");
        var node = new Option<string?>("--node") { Description = "handshakes: the node to aim at (a mix or a provider, by name). Default: the provider." };
        var hold = new Option<bool>("--hold") { Description = "handshakes: keep each connection open after the node's answer, until the run ends or the node closes it." };
        var concurrency = new Option<int>("--concurrency")
        {
            Description = "Attempts running at once at most (and handshake connections held); one due beyond that is skipped and counted.",
            DefaultValueFactory = _ => AbuseOptions.DefaultConcurrency,
        };
        var sources = new Option<int>("--sources")
        {
            Description = "Spread connections over this many loopback source addresses of one /24 (127.0.1.1, 127.0.1.2, …; not loadgen's 127.0.0.0/24), as an attacker with an address block would; 0: the OS's choice.",
        };
        var startFile = new Option<string?>("--start-file")
        {
            Description = "After preparing (packets built, clients connected), wait until this file exists before the paced phase: for scripts that line the abuse up with loadgen's timed phase.",
        };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow a network with addresses outside 127.0.0.0/8. Only ever aim this at nodes you run." };
        var command = new Command("abuse", "Reproduce a cheap attack on a relay against your own network and count how the nodes answer.")
        {
            kind, topology, authorities, authority, provider, rate, duration, clients, messages, flood, delay, port, node, hold, concurrency, sources, startFile, allowRemote,
        };
        command.SetAction((parse, cancellation) =>
        {
            var options = new AbuseOptions
            {
                Kind = AbuseKinds.ByName[parse.GetValue(kind)!],
                TopologyPath = parse.GetValue(topology),
                AuthoritiesPath = parse.GetValue(authorities),
                AuthorityPublicKey = parse.GetValue(authority),
                Provider = parse.GetValue(provider),
                Rate = parse.GetValue(rate),
                DurationSeconds = parse.GetValue(duration),
                Clients = parse.GetValue(clients),
                Messages = parse.GetValue(messages),
                Flood = parse.GetValue(flood),
                DelayMs = parse.GetValue(delay),
                ClientPort = parse.GetValue(port) == "client",
                Node = parse.GetValue(node),
                Hold = parse.GetValue(hold),
                Concurrency = parse.GetValue(concurrency),
                Sources = parse.GetValue(sources),
                StartFile = parse.GetValue(startFile),
                AllowRemote = parse.GetValue(allowRemote),
            };
            return new AbuseRunner(options, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error).RunAsync(cancellation);
        });
        return command;
    }
}
