using System.Globalization;
using Mixnode.Cli.Topology;
using Mixnode.Pki;
using Mixnode.Node.Topology;

namespace Mixnode.Cli.Testnet;

/// <summary>What <c>mixnode testnet</c> was asked for; <see cref="Validate"/> says what is wrong with it, if anything.</summary>
internal sealed record TestnetSettings(
    string Directory,
    int Layers = 3,
    int PerLayer = 1,
    int Providers = 2,
    double MeanDelayMs = TestnetSettings.DefaultMeanDelayMs,
    int? DurationSeconds = null,
    int BasePort = TestnetSettings.DefaultBasePort,
    string Mixing = MixingStrategyNames.Poisson,
    double PoolIntervalMs = 100,
    int PoolThreshold = 0,
    int PoolMinPool = 20,
    double PoolFraction = 0.7,
    double CoverRate = TestnetSettings.DefaultCoverRate,
    int ReadyTimeoutSeconds = TestnetSettings.DefaultReadyTimeoutSeconds,
    int Authorities = TestnetSettings.DefaultAuthorities,
    int? EpochSeconds = null)
{
    /// <summary>Three voting authorities (threshold 2): one can fail and the network still gets its documents.</summary>
    public const int DefaultAuthorities = 3;

    public const int MaxAuthorities = 9;

    /// <summary>
    /// The shortest epoch, the node's own lower bound for <c>Mixnode:EpochPeriod</c>: the schedule inside one (uploads,
    /// votes, reveals, signatures, publication in eighths of it) needs a few round trips and a margin for a busy
    /// machine in each eighth.
    /// </summary>
    public const int MinEpochSeconds = 10;

    /// <summary>
    /// Each node's loops per second (λM): 1/s keeps every link of an idle 5-node testnet carrying packets (each loop
    /// crosses four links; measured in docs/benchmarks.md, "Mixing and cover traffic on the testnet").
    /// </summary>
    public const double DefaultCoverRate = 1;

    public const double DefaultMeanDelayMs = 50;
    public const int DefaultBasePort = 30000;
    public const int MaxNodesPerKind = 10;

    /// <summary>
    /// How long the started nodes get to report ready before the testnet gives up and stops them: generous, since a
    /// busy shared machine starts a dozen .NET processes far slower than the few seconds they take when it is idle.
    /// </summary>
    public const int DefaultReadyTimeoutSeconds = 60;

    public const int MaxReadyTimeoutSeconds = 3600;

    /// <summary>A week: longer runs outlive the pre-generated mix keys by far and belong in a real deployment.</summary>
    public const int MaxDurationSeconds = 7 * 24 * 3600;

    public int NodeCount => Providers + (Layers * PerLayer);

    /// <summary>
    /// Ports the network uses from <see cref="BasePort"/> on: a link port per node and a client port per provider,
    /// then a management port per node.
    /// </summary>
    public int PortCount => Providers + NodeCount + NodeCount + (2 * Authorities);

    /// <summary>The network's epoch length: <c>--epoch-seconds</c>, else the production default (20 minutes).</summary>
    public TimeSpan EpochPeriod => EpochSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : EpochClock.DefaultPeriod;

    /// <summary>Every problem with the settings, each naming the option; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            errors.Add("--dir must name a directory");
        }
        else if (File.Exists(Directory))
        {
            errors.Add($"--dir '{Directory}' is a file; give a directory (it is created if missing)");
        }

        CheckCount("--layers", Layers, errors);
        CheckCount("--per-layer", PerLayer, errors);
        CheckCount("--providers", Providers, errors);
        if (!double.IsFinite(MeanDelayMs) || MeanDelayMs <= 0 || MeanDelayMs > 3_600_000)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--mean-delay-ms must be more than 0 and at most 3600000, got {MeanDelayMs}"));
        }

        if (!double.IsFinite(CoverRate) || CoverRate < 0 || CoverRate > 1000)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--cover-rate must be between 0 and 1000 loops per second per node, got {CoverRate}"));
        }

        if (MixingArguments.Resolve(Mixing, PoolIntervalMs, PoolThreshold, PoolMinPool, PoolFraction).Error is { } mixingError)
        {
            errors.Add(mixingError);
        }

        if (Authorities < 0 || Authorities > MaxAuthorities)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--authorities must be between 0 (one offline-signed document) and {MaxAuthorities}, got {Authorities}"));
        }

        if (EpochSeconds is { } epoch && (epoch < MinEpochSeconds || epoch > (int)TimeSpan.FromDays(1).TotalSeconds))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--epoch-seconds must be between {MinEpochSeconds} and 86400, got {epoch}"));
        }

        if (EpochSeconds is not null && Authorities == 0)
        {
            errors.Add("--epoch-seconds needs --authorities 1 or more: an offline-signed document covers a few epochs and would run out within minutes");
        }

        if (DurationSeconds is { } duration && (duration < 1 || duration > MaxDurationSeconds))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--duration must be between 1 and {MaxDurationSeconds} seconds, got {duration}"));
        }

        if (ReadyTimeoutSeconds < 1 || ReadyTimeoutSeconds > MaxReadyTimeoutSeconds)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--ready-timeout must be between 1 and {MaxReadyTimeoutSeconds} seconds, got {ReadyTimeoutSeconds}"));
        }

        if (BasePort < 1 || BasePort > ushort.MaxValue)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--base-port must be between 1 and 65535, got {BasePort}"));
        }
        else if (errors.Count == 0 && BasePort + PortCount - 1 > ushort.MaxValue)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"--base-port {BasePort} leaves too few ports: the network needs {PortCount} ports ({BasePort}..{BasePort + PortCount - 1}), the last port is 65535"));
        }

        return errors;
    }

    /// <summary>The strategy and pool asked for (call after <see cref="Validate"/> found nothing wrong).</summary>
    public (MixingStrategy Strategy, PoolParameters? Pool) ResolveMixing()
    {
        (MixingStrategy strategy, PoolParameters? pool, _) = MixingArguments.Resolve(Mixing, PoolIntervalMs, PoolThreshold, PoolMinPool, PoolFraction);
        return (strategy, pool);
    }

    private static void CheckCount(string option, int value, List<string> errors)
    {
        if (value < 1 || value > MaxNodesPerKind)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{option} must be between 1 and {MaxNodesPerKind}, got {value}"));
        }
    }
}
