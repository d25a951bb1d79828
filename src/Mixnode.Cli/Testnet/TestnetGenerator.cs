using System.Globalization;
using System.Text.Json;
using Mixnode.Cli.Keygen;
using Mixnode.Cli.Topology;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// Writes a whole local network into one directory without starting anything: per node a key directory made by the
/// same code as <c>mixnode keygen</c> and an appsettings.json; then either the directory authorities' keys and
/// configs and authorities.json (<see cref="TestnetAuthorities"/>; the consensus comes once they run), or, with
/// <c>--authorities 0</c>, one offline authority key and the signed topology.json made by the same code as
/// <c>mixnode topology sign</c>. It deletes the nodes.json of an earlier run: that file means "the
/// network is up" (<see cref="NodesFile"/>) and only the running testnet writes it. Running it again on the same
/// directory keeps the existing keys (keygen tops up mix keys), so a testnet can be stopped and started again with the
/// same identities.
/// </summary>
internal static class TestnetGenerator
{
    public const string Host = "127.0.0.1";

    /// <summary>Mix keys beyond the current epoch: the run may cross a few epoch boundaries.</summary>
    public const int ExtraEpochs = 3;

    /// <summary>
    /// Sized for a local network (the default 20 M is for a public node's full epoch); each filter is allocated up
    /// front, and a dozen nodes on one machine must not each reserve the memory of a production node.
    /// </summary>
    public const long ReplayFilterCapacity = 5_000_000;

    /// <summary>
    /// One crypto worker per node: all nodes and the load generator share the machine's few cores, so one worker per
    /// core in every node (the default, 0) would only add threads competing for the same cores.
    /// </summary>
    public const int WorkersPerNode = 1;

    /// <summary>Per-client rate limit at providers: loadgen's default clients together need ≥ 6,000 packets/s.</summary>
    public const int ClientRatePerSecond = 5000;

    public const int ClientBurst = 5000;

    /// <summary>
    /// Per-source-prefix rate at providers: every client of a testnet comes from 127.0.0.0/24, so the node's default
    /// (2,000/s for a whole /24) would cap loadgen below what it measures. An abuse run that wants the deployment
    /// default sets <c>Mixnode__Clients__PrefixRatePerSecond</c> in the testnet's environment.
    /// </summary>
    public const int ClientPrefixRatePerSecond = 50_000;

    public const int ClientPrefixBurst = 50_000;

    /// <summary>The node's own default for <c>Mixnode:MaxNodeDelay</c>; short test epochs need less.</summary>
    private static readonly TimeSpan NodeMaxDelayDefault = TimeSpan.FromMinutes(10);

    public static TestnetLayout Generate(TestnetSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        if (settings.Validate() is { Count: > 0 } errors)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(settings));
        }

        string root = Path.GetFullPath(settings.Directory);
        CreatePrivateDirectory(root);
        IReadOnlyList<TestnetNode> nodes = Plan(settings, root);

        // First of all: a script waiting for this run's nodes.json must not take the last run's for it.
        File.Delete(TestnetLayout.NodesFileIn(root));
        File.Delete(TestnetLayout.StartingNodesFileIn(root));
        TimeSpan period = settings.EpochPeriod;
        int epochs = EpochsFor(settings.DurationSeconds, period);
        foreach (TestnetNode node in nodes)
        {
            CreateKeys(node, epochs, period, time);
        }

        string topology = Path.Combine(root, "topology.json");
        TestnetLayout layout;
        if (settings.Authorities > 0)
        {
            // The authorities make the documents; the running testnet copies the current one to topology.json. One
            // left by an earlier run would be a stale document that scripts could pick up before then.
            File.Delete(topology);
            IReadOnlyList<TestnetNode> authorities = TestnetAuthorities.Plan(settings, root);
            foreach (TestnetNode authority in authorities)
            {
                CreatePrivateDirectory(authority.Directory);
            }

            TestnetAuthorities.Generate(settings, root, authorities, nodes);
            layout = new TestnetLayout(root, topology, authorities[0].AuthorityKeyPath, authorities[0].AuthorityPublicKeyPath, [.. authorities, .. nodes]);
        }
        else
        {
            string authorityDirectory = Path.Combine(root, "authority");
            string authorityKey = Path.Combine(authorityDirectory, TopologyCommand.AuthorityKeyFile);
            string authorityPublic = Path.Combine(authorityDirectory, TopologyCommand.AuthorityPublicFile);
            if (!File.Exists(authorityKey))
            {
                Check(TopologyCommand.Keygen(authorityDirectory, TextWriter.Null, new StringWriter(CultureInfo.InvariantCulture)), "authority keygen", null);
            }

            (MixingStrategy strategy, PoolParameters? pool) = settings.ResolveMixing();
            var sign = new TopologySignRequest(
                authorityKey,
                topology,
                [.. nodes.Select(n => new NodeKeyStore(n.KeysDirectory).DescriptorPath)],
                SphinxGeometry.Default,
                settings.MeanDelayMs,
                settings.CoverRate,
                period,
                strategy,
                pool);
            var signErrors = new StringWriter(CultureInfo.InvariantCulture);
            Check(TopologyCommand.Sign(sign, time, TextWriter.Null, signErrors), "topology sign", signErrors);
            layout = new TestnetLayout(root, topology, authorityKey, authorityPublic, nodes);
        }

        foreach (TestnetNode node in nodes)
        {
            WriteConfig(layout, node, period);
        }

        return layout;
    }

    /// <summary>
    /// Names, roles and ports: providers first (link port, then client port), then the mixes layer by layer; after all
    /// of those, one management port per node in the same order. The management ports come last so the link and
    /// client ports stay where they were before nodes had an endpoint (scripts and docs name them).
    /// </summary>
    public static IReadOnlyList<TestnetNode> Plan(TestnetSettings settings, string root)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var nodes = new List<TestnetNode>();
        int port = settings.BasePort;
        int management = settings.BasePort + settings.Providers + settings.NodeCount;
        for (int i = 0; i < settings.Providers; i++)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"provider-{i}");
            nodes.Add(new TestnetNode(name, NodeRole.Provider, null, Endpoint(port), Endpoint(port + 1), Path.Combine(root, name), Endpoint(management++)));
            port += 2;
        }

        for (int layer = 0; layer < settings.Layers; layer++)
        {
            for (int i = 0; i < settings.PerLayer; i++)
            {
                string name = string.Create(CultureInfo.InvariantCulture, $"mix-{layer}-{i}");
                nodes.Add(new TestnetNode(name, NodeRole.Mix, layer, Endpoint(port), null, Path.Combine(root, name), Endpoint(management++)));
                port++;
            }
        }

        return nodes;
    }

    /// <summary>The current epoch and <see cref="ExtraEpochs"/> more, or enough for the whole <c>--duration</c> plus a spare.</summary>
    public static int EpochsFor(int? durationSeconds, TimeSpan period)
    {
        int needed = durationSeconds is { } seconds ? (int)Math.Ceiling(seconds / period.TotalSeconds) + 2 : 0;
        return Math.Max(1 + ExtraEpochs, needed);
    }

    private static string Endpoint(int port) => string.Create(CultureInfo.InvariantCulture, $"{Host}:{port}");

    private static void CreateKeys(TestnetNode node, int epochs, TimeSpan period, TimeProvider time)
    {
        CreatePrivateDirectory(node.Directory);
        string[] addresses = node.ClientAddress is null ? [node.Address] : [node.Address, node.ClientAddress];
        var request = new KeygenRequest(node.KeysDirectory, node.Name, node.Role, node.Layer, addresses, epochs, period);
        var errors = new StringWriter(CultureInfo.InvariantCulture);
        Check(KeygenCommand.Run(request, time, TextWriter.Null, errors), $"keygen for {node.Name}", errors);
    }

    private static void Check(int code, string step, StringWriter? errors)
    {
        if (code != 0)
        {
            string detail = errors?.ToString().Trim() ?? "";
            throw new TestnetException(detail.Length == 0 ? $"{step} failed (exit {code})" : $"{step} failed: {detail}");
        }
    }

    private static void WriteConfig(TestnetLayout layout, TestnetNode node, TimeSpan period)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("Logging");
            json.WriteStartObject("LogLevel");
            json.WriteString("Default", "Warning");
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartObject("Mixnode");
            json.WriteString("Name", node.Name);
            json.WriteString("Role", node.RoleName);
            json.WriteString("ListenAddress", node.Address);
            if (node.ClientAddress is not null)
            {
                json.WriteString("ClientListenAddress", node.ClientAddress);
            }

            json.WriteString("KeysDirectory", node.KeysDirectory);
            json.WriteString("StateDirectory", node.StateDirectory);
            if (layout.HasAuthorities)
            {
                // The node uploads its descriptor to the authorities and follows their consensus.
                json.WriteString("AuthoritiesFile", layout.AuthoritiesFilePath);
            }
            else
            {
                json.WriteString("TopologyPath", layout.TopologyPath);
                json.WriteString("AuthorityPublicKeyPath", layout.AuthorityPublicKeyPath);
            }

            json.WriteString("Geometry", "default");
            json.WriteString("EpochPeriod", period.ToString("c", CultureInfo.InvariantCulture));
            if (period < NodeMaxDelayDefault * 2)
            {
                // A held packet must not outlive the mix key it was made for; the node refuses to start otherwise.
                json.WriteString("MaxNodeDelay", (period / 2).ToString("c", CultureInfo.InvariantCulture));
            }

            json.WriteNumber("Workers", WorkersPerNode);
            json.WriteNumber("ReplayFilterCapacity", ReplayFilterCapacity);
            json.WriteStartObject("Delivery");
            json.WriteString("Sink", node.Role == NodeRole.Provider ? "mailbox" : "count");
            json.WriteEndObject();
            json.WriteStartObject("Management");
            json.WriteString("ListenAddress", node.ManagementAddress);
            json.WriteEndObject();
            if (node.Role == NodeRole.Provider)
            {
                json.WriteStartObject("Clients");
                json.WriteNumber("RatePerSecond", ClientRatePerSecond);
                json.WriteNumber("Burst", ClientBurst);
                json.WriteNumber("PrefixRatePerSecond", ClientPrefixRatePerSecond);
                json.WriteNumber("PrefixBurst", ClientPrefixBurst);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        KeyFile.WriteAtomically(node.ConfigPath, buffer.ToArray(), KeyFile.PublicMode);
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
