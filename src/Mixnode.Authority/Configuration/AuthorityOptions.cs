using Mixnode.Pki;

namespace Mixnode.Authority.Configuration;

/// <summary>
/// Section <c>Mixnode:Authority</c> (JSON file, environment <c>MIXNODE__AUTHORITY__…</c>, command-line overrides);
/// checked at start by <see cref="AuthorityOptionsValidator"/>. docs/authority.md lists every setting.
/// </summary>
internal sealed class AuthorityOptions
{
    public const string Section = "Mixnode:Authority";

    /// <summary>This authority's name; it must be listed in the authorities file with this authority's key.</summary>
    public string Name { get; set; } = "";

    /// <summary>host:port of the HTTP API (nodes, clients and the other authorities).</summary>
    public string ListenAddress { get; set; } = "";

    /// <summary>Directory holding <c>authority.key</c> (0600).</summary>
    public string KeysDirectory { get; set; } = "";

    /// <summary>Where own votes, reveals and published documents are kept across restarts.</summary>
    public string StateDirectory { get; set; } = "";

    /// <summary>authorities.json: every authority, this one included, and the threshold.</summary>
    public string AuthoritiesFile { get; set; } = "";

    /// <summary>The nodes whose uploads are accepted.</summary>
    public string NodesFile { get; set; } = "";

    public TimeSpan EpochPeriod { get; set; } = EpochClock.DefaultPeriod;

    public int Layers { get; set; } = 3;

    /// <summary>default or vectors.</summary>
    public string Geometry { get; set; } = "default";

    /// <summary>poisson or timed-pool.</summary>
    public string Strategy { get; set; } = MixingStrategyNames.Poisson;

    public double MeanDelayMs { get; set; } = MixingParameters.DefaultMeanDelayMs;

    public double LoopRatePerSecond { get; set; } = MixingParameters.DefaultLoopRatePerSecond;

    public double ClientPayloadRatePerSecond { get; set; } = MixingParameters.DefaultClientPayloadRatePerSecond;

    public double ClientLoopRatePerSecond { get; set; } = MixingParameters.DefaultClientLoopRatePerSecond;

    public PoolOptions Pool { get; set; } = new();

    /// <summary>Votes whose <c>sent_at</c> is further from this authority's clock are refused (<c>clock_skew</c>).</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(10);

    public bool AllowLoopbackAddresses { get; set; }

    public bool AllowPrivateAddresses { get; set; }

    /// <summary>Genesis: vote this long after start at the latest (earlier once every listed node uploaded).</summary>
    public TimeSpan BootstrapWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Genesis (and any round started late): each phase waits at most this long for the peers' messages.</summary>
    public TimeSpan BootstrapPhaseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public ManagementOptions Management { get; set; } = new();

    internal sealed class PoolOptions
    {
        public double IntervalMs { get; set; } = PoolParameters.Default.Interval.TotalMilliseconds;

        public int Threshold { get; set; } = PoolParameters.Default.Threshold;

        public int MinPool { get; set; } = PoolParameters.Default.MinPool;

        public double Fraction { get; set; } = PoolParameters.Default.Fraction;
    }

    internal sealed class ManagementOptions
    {
        /// <summary>IP:port for /metrics and /health/* (loopback unless scraped or probed from elsewhere); empty: off.</summary>
        public string ListenAddress { get; set; } = "";
    }
}
