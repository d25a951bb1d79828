using System.Globalization;

namespace Mixnode.Cli.Abuse;

/// <summary>What <c>mixnode abuse KIND …</c> was asked to do; <see cref="Validate"/> names every impossible value.</summary>
internal sealed record AbuseOptions
{
    public const int DefaultClients = 10;
    public const int DefaultMessages = 50;
    public const int DefaultFlood = 2000;
    public const int DefaultConcurrency = 512;

    public required AbuseKind Kind { get; init; }

    public string? TopologyPath { get; init; }

    public string? AuthoritiesPath { get; init; }

    public string? AuthorityPublicKey { get; init; }

    /// <summary>The target provider's name; the topology's first provider when null.</summary>
    public string? Provider { get; init; }

    /// <summary>Attempts per second.</summary>
    public double Rate { get; init; }

    public double DurationSeconds { get; init; }

    /// <summary>client-flood and slow-readers: clients; mailboxes and long-delays: sending links.</summary>
    public int Clients { get; init; } = DefaultClients;

    /// <summary>victim: the victim's own messages, sent before the flood.</summary>
    public int Messages { get; init; } = DefaultMessages;

    /// <summary>victim: the attacker's messages to the victim's id.</summary>
    public int Flood { get; init; } = DefaultFlood;

    /// <summary>long-delays: the per-hop delay asked for; the longest the network document allows when null.</summary>
    public uint? DelayMs { get; init; }

    /// <summary>handshakes: the node's link port (false) or a provider's client port (true).</summary>
    public bool ClientPort { get; init; }

    /// <summary>handshakes: the node to aim at (a mix or a provider); the target provider when null.</summary>
    public string? Node { get; init; }

    /// <summary>handshakes: keep each connection open after the node's answer until the run ends or the node closes it.</summary>
    public bool Hold { get; init; }

    /// <summary>Loopback source addresses to spread connections over (127.0.1.1 …); 0: the OS's choice.</summary>
    public int Sources { get; init; }

    /// <summary>Begin the paced phase only once this file exists (a script lines it up with another program's).</summary>
    public string? StartFile { get; init; }

    /// <summary>Attempts running at once at most.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Allow addresses outside 127.0.0.0/8 (someone else's network is never the target of this tool).</summary>
    public bool AllowRemote { get; init; }

    /// <summary>The first problem with the values, naming its option, or null.</summary>
    public string? Validate()
    {
        var errors = new List<string>();
        if ((TopologyPath is null) == (AuthoritiesPath is null))
        {
            errors.Add("give either --topology FILE or --authorities FILE (not both)");
        }

        if (!(Rate > 0) || double.IsInfinity(Rate))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--rate must be above 0, got {Rate}"));
        }

        if (!(DurationSeconds > 0) || DurationSeconds > 86_400)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--duration must be above 0 and at most 86400 seconds, got {DurationSeconds}"));
        }

        if (Clients is < 1 or > 10_000)
        {
            errors.Add($"--clients must be 1–10000, got {Clients}");
        }

        if (Messages is < 1 or > 1_000_000)
        {
            errors.Add($"--messages must be 1–1000000, got {Messages}");
        }

        if (Flood is < 1 or > 10_000_000)
        {
            errors.Add($"--flood must be 1–10000000, got {Flood}");
        }

        if (Concurrency is < 1 or > 100_000)
        {
            errors.Add($"--concurrency must be 1–100000, got {Concurrency}");
        }

        if (Sources is < 0 or > AbuseSources.Max)
        {
            errors.Add($"--sources must be 0–{AbuseSources.Max}, got {Sources}");
        }

        if (DelayMs is 0)
        {
            errors.Add("--delay-ms must be above 0");
        }

        if (Node is not null && Kind != AbuseKind.Handshakes)
        {
            errors.Add("--node is for handshakes only");
        }

        if ((Hold || ClientPort) && Kind != AbuseKind.Handshakes)
        {
            errors.Add("--hold and --port are for handshakes only");
        }

        if (Node is not null && ClientPort)
        {
            errors.Add("--port client aims at the provider's client port: choose the provider with --provider, not --node");
        }

        return errors.Count == 0 ? null : string.Join(Environment.NewLine, errors);
    }
}
