using System.ComponentModel.DataAnnotations;
using Mixnode.Links;
using Mixnode.Links.Wire;

namespace Mixnode.Node;

/// <summary>
/// Everything an operator configures for one node: section <c>Mixnode</c> of appsettings.json, environment
/// variables <c>MIXNODE__*</c> or the command line. Validated at start-up (all errors together, each naming
/// the setting); see <see cref="NodeOptionsValidator"/> for the cross-field rules and config/README.md.
/// </summary>
public sealed class NodeOptions
{
    public const string SectionName = "Mixnode";

    /// <summary>This node's name in the topology (matches its descriptor).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Name { get; set; } = "";

    /// <summary>Where the link listener binds, <c>host:port</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string ListenAddress { get; set; } = "127.0.0.1:30001";

    /// <summary>Directory with identity.key, link.key and mix/ (from <c>mixnode keygen</c>).</summary>
    [Required(AllowEmptyStrings = false)]
    public string KeysDirectory { get; set; } = "";

    /// <summary>Directory for the replay filters and other state that must survive a crash.</summary>
    [Required(AllowEmptyStrings = false)]
    public string StateDirectory { get; set; } = "";

    /// <summary>
    /// The signed network document (<c>mixnode topology sign</c>); reloaded when it changes. Required unless
    /// <see cref="AuthoritiesFile"/> is set; then, if given, it is where the node keeps a copy of its current consensus.
    /// </summary>
    public string TopologyPath { get; set; } = "";

    /// <summary>The authority's public key file the topology must be signed with (file mode only).</summary>
    public string AuthorityPublicKeyPath { get; set; } = "";

    /// <summary>
    /// <c>authorities.json</c> of the voting directory authorities (names, addresses, keys, threshold). When set, the
    /// node uploads its descriptor to them every epoch and follows their consensus instead of a hand-signed file.
    /// </summary>
    public string AuthoritiesFile { get; set; } = "";

    /// <summary>How the node talks to the directory authorities (with <see cref="AuthoritiesFile"/> only).</summary>
    public AuthoritiesOptions Authorities { get; set; } = new();

    /// <summary>Sphinx geometry this node speaks: <c>default</c> (5 hops, 3082-byte packets) or <c>vectors</c> (611 bytes).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Geometry { get; set; } = "default";

    /// <summary>Length of a key epoch (Katzenpost: 20 minutes).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan EpochPeriod { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Crypto workers; 0 means one per core.</summary>
    [Range(0, 256)]
    public int Workers { get; set; }

    /// <summary>Packets waiting for a crypto worker; beyond it arrivals are dropped (reason overload).</summary>
    [Range(16, 1 << 20)]
    public int IngressQueueCapacity { get; set; } = 8192;

    /// <summary>Packets the mixer holds (for their delay, or in the pool); beyond it new ones are dropped (reason overload).</summary>
    [Range(16, 1 << 22)]
    public int DelayQueueCapacity { get; set; } = 262_144;

    /// <summary>The longest NodeDelay the node honours; longer ones are dropped (reason delay).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxNodeDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Expected packets per mix key lifetime, which sizes each replay filter.</summary>
    [Range(1_000, 2_000_000_000)]
    public long ReplayFilterCapacity { get; set; } = 20_000_000;

    /// <summary>Providers: where clients connect (<c>ip:port</c>); empty for mixes. The descriptor lists it second.</summary>
    public string ClientListenAddress { get; set; } = "";

    /// <summary>
    /// How often the replay filters are written to disk (msync). A killed process loses nothing at any interval
    /// (the filter lives in a shared file mapping, so every set bit is in the OS page cache at once); this bounds
    /// only what an OS crash or power loss can forget. Each flush re-protects every dirty page, which costs
    /// ~13 µs per packet at 500 ms under load (docs/node-benchmarks.md), hence the longer default.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ReplayFlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Mixing: packets that fall due within this long after the one the release alarm rang for leave with it (so
    /// they may leave up to this much before the delay their sender chose). Zero releases each packet at its own
    /// due time, which costs a wake-up and a flush per packet: measured on the 5-node testnet at 3,000 packets/s,
    /// zero / 0.5 ms / 1 ms gave 1.44 / 1.25 / 1.11 cores for the nodes and a p99 of latency above the chosen delays
    /// of 4.8–8.0 / 2.7–3.0 / 1.5–2.0 ms. Next to per-hop delays of tens of milliseconds, 1 ms is immaterial.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:00.010")]
    public TimeSpan ReleaseQuantum { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// How long a stop (SIGTERM, Ctrl-C) may take: listeners close at once, packets whose delay ends within it still
    /// leave, the rest are dropped (reason shutdown), the replay filters are flushed. Also the host's shutdown timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// True (the default): no log line carries a peer's address at any level. False lets Debug lines name the
    /// remote address of links (for debugging a lab network; never on a relay with real users). Tor's SafeLogging.
    /// </summary>
    public bool SafeLogging { get; set; } = true;

    /// <summary>
    /// False (the default): a node on a CPU without AES-NI refuses to start, because AEZ's software AES leaks key bits
    /// through cache timing. True accepts that risk (a lab, a machine no one else runs code on). docs/security.md.
    /// </summary>
    public bool AllowSoftwareAes { get; set; }

    /// <summary>The mixing strategy and cover rate come from the network document; these override them (tests, labs).</summary>
    public MixingOptions Mixing { get; set; } = new();

    public ManagementOptions Management { get; set; } = new();

    public TelemetryOptions Telemetry { get; set; } = new();

    public LinkOptions Links { get; set; } = new();

    public Clients.ClientOptions Clients { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();
}

/// <summary>
/// Overrides of the network document's mixing settings. Every mix of a network must mix alike (clients shape their
/// packets for the network's strategy), so these are for tests and lab networks; empty means "as the document says".
/// </summary>
public sealed class MixingOptions
{
    /// <summary>"" (the document's), "poisson" or "timed-pool".</summary>
    public string Strategy { get; set; } = "";

    /// <summary>Timed pool: a round every this long (0: by threshold only). Unset: the document's, else 100 ms.</summary>
    public TimeSpan? PoolInterval { get; set; }

    /// <summary>Timed pool: a round as soon as this many packets wait (0: by the clock only).</summary>
    public int? PoolThreshold { get; set; }

    /// <summary>Timed pool: packets a round always keeps back.</summary>
    public int? PoolMinPool { get; set; }

    /// <summary>Timed pool: the share of the packets beyond the minimum that a round sends, in (0, 1].</summary>
    public double? PoolFraction { get; set; }

    /// <summary>The node's own loops per second instead of the document's λM (0 turns them off).</summary>
    [Range(0, 1e6)]
    public double? LoopRatePerSecond { get; set; }
}

/// <summary>Timers of the consensus follower (<c>Mixnode:Authorities</c>), used when <c>Mixnode:AuthoritiesFile</c> is set.</summary>
public sealed class AuthoritiesOptions
{
    /// <summary>
    /// How long start-up waits for a consensus that verifies (when no cached one covers the current epoch); after it
    /// the start fails with one line. The first consensus of a new network (genesis) comes within seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often a consensus not yet fetched is asked for (documents are small; polls are cheap).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>One HTTP request to one authority (upload or fetch) is given up after this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The HTTP endpoint for operators: /metrics, /health/live, /health/ready.</summary>
public sealed class ManagementOptions
{
    /// <summary>
    /// <c>ip:port</c> the endpoint binds to; loopback by default, so nothing is exposed unless configured
    /// (<c>0.0.0.0:9464</c> in a container or pod). Port 0 picks a free port (tests). Empty turns the endpoint off.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1:9464";
}

/// <summary>Where metrics go besides /metrics.</summary>
public sealed class TelemetryOptions
{
    /// <summary>OTLP collector URL (for example http://127.0.0.1:4317); empty (the default) sends nothing.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary><c>grpc</c> (port 4317) or <c>http/protobuf</c> (port 4318).</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>How often metrics are pushed to the OTLP collector.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan OtlpExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Also export the runtime's metrics (GC, thread pool, memory, CPU).</summary>
    public bool RuntimeMetrics { get; set; } = true;
}

/// <summary>Limits and timers of the links between nodes.</summary>
public sealed class LinkOptions
{
    /// <summary>The session settings of every node link (and, with the client prologue, client link) of this node.</summary>
    internal LinkSessionSettings SessionSettings(WireFraming framing) =>
        new(framing, HandshakeTimeout, IdleTimeout, NoOpInterval, LinkProtocol.DefaultRekeyInterval) { SendTimeout = SendTimeout };

    /// <summary>These options for the client listener: its connections buffer at most <see cref="ClientPauseThresholdBytes"/>.</summary>
    internal LinkOptions ForClientLinks()
    {
        var copy = (LinkOptions)MemberwiseClone();
        copy.PauseThresholdBytes = ClientPauseThresholdBytes;
        return copy;
    }

    /// <summary>Connections accepted at once, all sources together.</summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 1024;

    /// <summary>Connections accepted at once from one source address.</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerAddress { get; set; } = 16;

    /// <summary>
    /// Connections accepted at once from one source prefix (IPv4 /24, IPv6 /64; docs/security.md): one host gets a whole
    /// IPv6 /64, so a bound per address alone would not bound it. Topology members' addresses are not held to it.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerPrefix { get; set; } = 64;

    /// <summary>
    /// Node links: the last this many of <see cref="MaxConnections"/> (at most half of them) are only for addresses the
    /// topology lists, so strangers holding connections open cannot keep the network's own links out.
    /// </summary>
    [Range(0, 100_000)]
    public int ReservedMemberConnections { get; set; } = 128;

    /// <summary>
    /// New connections per second one source prefix may open (token bucket rate); beyond it they are refused before the
    /// handshake (reason handshake_rate). A handshake costs the responder three X25519 operations. Members are exempt.
    /// </summary>
    [Range(0.01, 1_000_000)]
    public double HandshakesPerPrefixPerSecond { get; set; } = 20;

    /// <summary>New connections one source prefix may open at once above its rate (bucket size).</summary>
    [Range(1, 1_000_000)]
    public int HandshakeBurstPerPrefix { get; set; } = 64;

    /// <summary>
    /// Source prefixes whose handshake (and, on providers, packet) rate a listener tracks at once; beyond it connections
    /// from new prefixes are refused (reason limit_total) until idle ones expire. About 100 bytes each.
    /// </summary>
    [Range(16, 10_000_000)]
    public int MaxTrackedPrefixes { get; set; } = 65_536;

    /// <summary>A handshake not finished by then is abandoned (slow-loris protection).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:05:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A link on which nothing arrives for this long is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A link with nothing to send sends a NoOp this often, so idle peers stay connected.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:30:00")]
    public TimeSpan NoOpInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Packets waiting to be sent to one next hop.</summary>
    [Range(16, 1 << 20)]
    public int OutboundQueueCapacity { get; set; } = 16_384;

    /// <summary>How long packets for an unreachable peer wait before they are dropped (reason peer_down).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PeerDownDropAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay; doubles per failure, with jitter, up to <see cref="ReconnectBackoffMax"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan ReconnectBackoffMin { get; set; } = TimeSpan.FromMilliseconds(100);

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan ReconnectBackoffMax { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes a connection may buffer before its receive loop pauses (back-pressure).</summary>
    [Range(16_384, 64 << 20)]
    public int PauseThresholdBytes { get; set; } = 1 << 20;

    /// <summary>
    /// Providers: <see cref="PauseThresholdBytes"/> for client links. A throttled or stalled client pins up to this much
    /// in each of its link's two pipes, so all clients together pin at most about 2 × MaxConnections × (this + 16 KiB):
    /// 64 KiB (about 20 frames) keeps that near 160 MiB at 1,024 connections instead of 2 GiB.
    /// </summary>
    [Range(16_384, 64 << 20)]
    public int ClientPauseThresholdBytes { get; set; } = 64 << 10;

    /// <summary>
    /// A send that cannot finish for this long (the peer stopped reading and the link's buffer is full) closes the link
    /// (reason send_timeout), so a client that never reads cannot hold its link's send lock and what waits on it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>The last hop: where Recipient packets go.</summary>
public sealed class DeliveryOptions
{
    /// <summary><c>mailbox</c> (providers: a bounded mailbox per recipient id) or <c>count</c> (tests, mixes: count and discard).</summary>
    [Required(AllowEmptyStrings = false)]
    public string Sink { get; set; } = "mailbox";

    /// <summary>
    /// Messages kept per recipient, queued plus handed out and not yet acknowledged; when full the *new* message is
    /// refused (mixnode.mailbox.dropped reason mailbox_full), so a flood cannot push out mail already queued.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MailboxCapacity { get; set; } = 1024;

    /// <summary>
    /// Mailboxes made by deliveries at once; beyond it messages to new recipients are refused (reason no_mailbox). A
    /// client that connects always gets its mailbox, and empty mailboxes are removed at once.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxMailboxes { get; set; } = 100_000;

    /// <summary>
    /// Bytes all stored messages may hold together (each counted at its pooled buffer's size, 4 KiB with the default
    /// geometry, so 256 MiB is about 65,000 messages); beyond it new messages are refused (reason store_full).
    /// </summary>
    [Range(1L << 20, 1L << 40)]
    public long MaxStoredBytes { get; set; } = 256L << 20;

    /// <summary>
    /// A message not fetched (and acknowledged) within this long is deleted (reason expired). Mail lives in RAM only,
    /// so this is a day rather than the days a disk-backed provider keeps it: a client offline longer misses mail.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MessageLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Retrievals parked (long polling) over all clients; beyond it a retrieval on an empty mailbox is answered Empty (mixnode.retrievals.refused).</summary>
    [Range(1, 10_000_000)]
    public int MaxParkedRetrievals { get; set; } = 16_384;

    /// <summary>Retrievals one client link may have unanswered (parked or being sent); one more closes the link (reason retrieval_limit). The library keeps 4, loadgen 16.</summary>
    [Range(1, 65_536)]
    public int MaxRetrievalsPerSession { get; set; } = 64;
}
