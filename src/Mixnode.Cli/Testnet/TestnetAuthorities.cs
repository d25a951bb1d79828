using System.Globalization;
using System.Text.Json;
using Mixnode.Cli.Topology;
using Mixnode.Authority.Configuration;
using Mixnode.Node.Keys;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// The directory authorities of a generated network: each one's key (made by the same code as
/// <c>mixnode topology keygen</c>), <c>DIR/authorities.json</c> (what nodes and clients trust: addresses, keys,
/// threshold ⌊N/2⌋+1), <c>DIR/authority-nodes.json</c> (the nodes the authorities accept descriptors from: every
/// generated node, by identity key) and each authority's appsettings.json with the network's parameters. Ports come
/// after every node's: the authorities' API ports, then their management ports.
/// </summary>
internal static class TestnetAuthorities
{
    public const string NodesFileName = "authority-nodes.json";

    public static IReadOnlyList<TestnetNode> Plan(TestnetSettings settings, string root)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int api = settings.BasePort + settings.Providers + (2 * settings.NodeCount);
        int management = api + settings.Authorities;
        return [.. Enumerable.Range(0, settings.Authorities).Select(i =>
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"auth-{i}");
            return new TestnetNode(name, NodeRole.Provider, null, Endpoint(api + i), null, Path.Combine(root, name), Endpoint(management + i), IsAuthority: true);
        })];
    }

    /// <summary>Keys (kept when present), authorities.json, the node list and every authority's config.</summary>
    public static AuthoritySet Generate(TestnetSettings settings, string root, IReadOnlyList<TestnetNode> authorities, IReadOnlyList<TestnetNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(nodes);
        var infos = new List<AuthorityInfo>();
        foreach (TestnetNode authority in authorities)
        {
            if (!File.Exists(authority.AuthorityKeyPath))
            {
                var errors = new StringWriter(CultureInfo.InvariantCulture);
                if (TopologyCommand.Keygen(authority.KeysDirectory, TextWriter.Null, errors) != 0)
                {
                    throw new TestnetException($"keygen for {authority.Name} failed: {errors.ToString().Trim()}");
                }
            }

            // From the private key: the .pub file is only a convenience copy.
            using NSec.Cryptography.Key key = KeyFile.ReadEd25519(authority.AuthorityKeyPath);
            infos.Add(new AuthorityInfo(authority.Name, authority.Address, Bytes32.From(key.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey))));
        }

        var set = new AuthoritySet(infos, AuthoritySet.Majority(infos.Count));
        KeyFile.WriteAtomically(TestnetLayout.AuthoritiesFileIn(root), set.ToUtf8Json(), KeyFile.PublicMode);
        string nodesFile = Path.Combine(root, NodesFileName);
        KeyFile.WriteAtomically(nodesFile, NodeList(nodes), KeyFile.PublicMode);
        foreach (TestnetNode authority in authorities)
        {
            WriteConfig(settings, root, authority, nodesFile);
        }

        return set;
    }

    /// <summary>Every generated node, by the identity key its keygen made (the authorities' own file format).</summary>
    private static byte[] NodeList(IReadOnlyList<TestnetNode> nodes) =>
        new NodeList(nodes.Select(node =>
        {
            NodeDescriptor descriptor = new NodeKeyStore(node.KeysDirectory).TryReadDescriptor()
                ?? throw new TestnetException($"{node.Name} has no descriptor.json after keygen");
            return new ListedNode(node.Name, descriptor.IdentityKey, node.Role);
        })).ToUtf8Json();

    private static void WriteConfig(TestnetSettings settings, string root, TestnetNode authority, string nodesFile)
    {
        (MixingStrategy strategy, PoolParameters? pool) = settings.ResolveMixing();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("Logging");
            json.WriteStartObject("LogLevel");
            json.WriteString("Default", "Warning");
            json.WriteString("Mixnode", "Information");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartObject("Mixnode");
            json.WriteStartObject("Authority");
            json.WriteString("Name", authority.Name);
            json.WriteString("ListenAddress", authority.Address);
            json.WriteString("KeysDirectory", authority.KeysDirectory);
            json.WriteString("StateDirectory", authority.StateDirectory);
            json.WriteString("AuthoritiesFile", TestnetLayout.AuthoritiesFileIn(root));
            json.WriteString("NodesFile", nodesFile);
            json.WriteString("EpochPeriod", settings.EpochPeriod.ToString("c", CultureInfo.InvariantCulture));
            json.WriteNumber("Layers", settings.Layers);
            json.WriteString("Geometry", "default");
            json.WriteString("Strategy", strategy.ToName());
            json.WriteNumber("MeanDelayMs", settings.MeanDelayMs);
            json.WriteNumber("LoopRatePerSecond", settings.CoverRate);
            if (pool is not null)
            {
                json.WriteStartObject("Pool");
                json.WriteNumber("IntervalMs", pool.Interval.TotalMilliseconds);
                json.WriteNumber("Threshold", pool.Threshold);
                json.WriteNumber("MinPool", pool.MinPool);
                json.WriteNumber("Fraction", pool.Fraction);
                json.WriteEndObject();
            }

            // Every generated node listens on 127.0.0.1: outside a lab these stay off.
            json.WriteBoolean("AllowLoopbackAddresses", true);
            json.WriteBoolean("AllowPrivateAddresses", true);
            json.WriteStartObject("Management");
            json.WriteString("ListenAddress", authority.ManagementAddress);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        KeyFile.WriteAtomically(authority.ConfigPath, buffer.ToArray(), KeyFile.PublicMode);
    }

    private static string Endpoint(int port) => string.Create(CultureInfo.InvariantCulture, $"{TestnetGenerator.Host}:{port}");
}
