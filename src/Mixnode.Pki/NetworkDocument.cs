using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Pki;

/// <summary>
/// The network document: who the nodes are, how they are layered, the Sphinx geometry, the mixing parameters and
/// the epochs the embedded mix keys cover (keys are pre-generated for a few epochs until a directory authority
/// publishes them per epoch). Constructing one checks every consistency rule, so an instance is always valid.
/// </summary>
/// <remarks>
/// JSON, snake_case: <c>version</c>, <c>epoch_period_seconds</c>, <c>geometry</c> {nr_hops, forward_payload_length,
/// header_length, packet_length}, <c>mixing</c> {strategy, mean_delay_ms, loop_rate_per_sec,
/// client_payload_rate_per_sec, client_loop_rate_per_sec, pool {interval_ms, threshold, min_pool, fraction} for timed-pool}, <c>epochs_covered</c>
/// {first, last}, <c>providers</c> [descriptor…], <c>layers</c> [[descriptor…] per layer].
/// </remarks>
internal sealed class NetworkDocument
{
    public const int CurrentVersion = 1;

    public NetworkDocument(
        TimeSpan epochPeriod,
        SphinxGeometry geometry,
        MixingParameters mixing,
        EpochRange epochsCovered,
        IEnumerable<NodeDescriptor> providers,
        IEnumerable<IEnumerable<NodeDescriptor>> layers,
        long? epoch = null,
        Bytes32? sharedRandom = null)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(mixing);
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(layers);
        EpochPeriod = epochPeriod;
        Geometry = geometry;
        Mixing = mixing;
        EpochsCovered = epochsCovered;
        Providers = [.. providers];
        Layers = [.. layers.Select(l => l.ToImmutableArray())];
        Epoch = epoch ?? epochsCovered.First;
        SharedRandom = sharedRandom;
        Validate();
    }

    public int Version => CurrentVersion;

    public TimeSpan EpochPeriod { get; }

    public SphinxGeometry Geometry { get; }

    public MixingParameters Mixing { get; }

    /// <summary>
    /// The epochs this document may be used in (its validity window) and for which every node lists a mix key. A
    /// consensus for epoch E covers E and E + 1, so a network survives one missed consensus.
    /// </summary>
    public EpochRange EpochsCovered { get; }

    /// <summary>
    /// The epoch this document is for: a consensus is made for one epoch; an offline-signed document says the first
    /// epoch it covers. Verifiers order documents by it and refuse one older than the newest they accepted.
    /// </summary>
    public long Epoch { get; }

    /// <summary>The shared random value the authorities agreed on for this epoch (consensus documents only).</summary>
    public Bytes32? SharedRandom { get; }

    public ImmutableArray<NodeDescriptor> Providers { get; }

    /// <summary>Mixes by layer; a route crosses one mix of each layer in order.</summary>
    public ImmutableArray<ImmutableArray<NodeDescriptor>> Layers { get; }

    public IEnumerable<NodeDescriptor> AllNodes => Providers.Concat(Layers.SelectMany(l => l));

    /// <summary>
    /// Builds a document from node descriptors: providers by role, mixes into the layer their descriptor names
    /// (layers must be 0..L−1 without gaps). The covered epochs are the run of epochs every node has a key for that
    /// contains <paramref name="currentEpoch"/> or starts with the next one: keys only for the past are useless, and
    /// keys only for the far future mean the nodes counted epochs with another period.
    /// </summary>
    public static NetworkDocument Create(
        IReadOnlyCollection<NodeDescriptor> descriptors,
        SphinxGeometry geometry,
        MixingParameters mixing,
        TimeSpan epochPeriod,
        long currentEpoch)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        var providers = descriptors.Where(d => d.Role == NodeRole.Provider).ToList();
        var mixes = descriptors.Where(d => d.Role == NodeRole.Mix).ToList();
        int layerCount = mixes.Count == 0 ? 0 : mixes.Max(m => m.Layer) + 1;
        var layers = new List<List<NodeDescriptor>>();
        for (int layer = 0; layer < layerCount; layer++)
        {
            var members = mixes.Where(m => m.Layer == layer).ToList();
            if (members.Count == 0)
            {
                throw new TopologyException($"no mix is in layer {layer}: layers must be numbered 0..{layerCount - 1} without gaps");
            }

            layers.Add(members);
        }

        if (descriptors.Count == 0)
        {
            throw new TopologyException("no node descriptors given");
        }

        IEnumerable<long> common = descriptors.First().MixKeys.Keys;
        foreach (NodeDescriptor descriptor in descriptors.Skip(1))
        {
            common = common.Intersect(descriptor.MixKeys.Keys);
        }

        long[] epochs = [.. common.Order()];
        EpochRange? covered = null;
        for (int i = 0; i < epochs.Length && covered is null; i++)
        {
            int j = i;
            while (j + 1 < epochs.Length && epochs[j + 1] == epochs[j] + 1)
            {
                j++;
            }

            if (epochs[j] >= currentEpoch && epochs[i] <= currentEpoch + 1)
            {
                covered = new EpochRange(epochs[i], epochs[j]);
            }

            i = j;
        }

        if (covered is null)
        {
            throw new TopologyException(
                $"the nodes have no common mix keys for the current epoch {currentEpoch} or the next " +
                "(are the keys old, or were they made with a different --epoch-period-seconds?)");
        }

        return new NetworkDocument(epochPeriod, geometry, mixing, covered.Value, providers, layers);
    }

    /// <summary>Reads and checks a document; a <see cref="TopologyException"/> names the rule or field.</summary>
    public static NetworkDocument Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TopologyException("the network document must be a JSON object");
        }

        int version = GetInt(root, "version", "document");
        if (version != CurrentVersion)
        {
            throw new TopologyException($"unsupported document version {version} (this node reads version {CurrentVersion})");
        }

        long periodSeconds = GetLong(root, "epoch_period_seconds", "document");
        if (periodSeconds < 1 || periodSeconds > (long)TimeSpan.FromDays(7).TotalSeconds)
        {
            throw new TopologyException($"epoch_period_seconds must be between 1 and one week, got {periodSeconds}");
        }

        JsonElement geometryElement = GetObject(root, "geometry", "document");
        int nrHops = GetInt(geometryElement, "nr_hops", "geometry");
        int forwardPayloadLength = GetInt(geometryElement, "forward_payload_length", "geometry");
        if (SphinxGeometry.TryValidate(nrHops, forwardPayloadLength) is { } geometryError)
        {
            throw new TopologyException($"geometry: {geometryError}");
        }

        var geometry = new SphinxGeometry(nrHops, forwardPayloadLength);
        int headerLength = GetInt(geometryElement, "header_length", "geometry");
        int packetLength = GetInt(geometryElement, "packet_length", "geometry");
        if (headerLength != geometry.HeaderLength || packetLength != geometry.PacketLength)
        {
            throw new TopologyException(
                $"geometry: header_length {headerLength} and packet_length {packetLength} do not match {geometry} " +
                "(the document was made by an incompatible Sphinx implementation)");
        }

        JsonElement mixingElement = GetObject(root, "mixing", "document");
        MixingParameters mixing = ParseMixing(mixingElement);

        JsonElement epochsElement = GetObject(root, "epochs_covered", "document");
        var covered = new EpochRange(GetLong(epochsElement, "first", "epochs_covered"), GetLong(epochsElement, "last", "epochs_covered"));
        long? epoch = root.TryGetProperty("epoch", out _) ? GetLong(root, "epoch", "document") : null;
        Bytes32? sharedRandom = null;
        if (root.TryGetProperty("shared_random", out JsonElement srv))
        {
            try
            {
                sharedRandom = NodeDescriptor.DecodeKey(srv, "shared_random", "document");
            }
            catch (FormatException e)
            {
                throw new TopologyException(PkiRefusal.Malformed, e.Message);
            }
        }

        var providers = ParseDescriptors(GetArray(root, "providers", "document"), "providers");
        var layers = new List<List<NodeDescriptor>>();
        int index = 0;
        foreach (JsonElement layer in GetArray(root, "layers", "document").EnumerateArray())
        {
            if (layer.ValueKind != JsonValueKind.Array)
            {
                throw new TopologyException($"layers[{index}] must be an array of node descriptors");
            }

            layers.Add(ParseDescriptors(layer, $"layers[{index}]"));
            index++;
        }

        return new NetworkDocument(TimeSpan.FromSeconds(periodSeconds), geometry, mixing, covered, providers, layers, epoch, sharedRandom);
    }

    /// <summary>Indented UTF-8 JSON (the payload that gets signed).</summary>
    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            WriteTo(writer);
        }

        return buffer.ToArray();
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("version", Version);
        writer.WriteNumber("epoch", Epoch);
        writer.WriteNumber("epoch_period_seconds", (long)EpochPeriod.TotalSeconds);
        if (SharedRandom is { } sharedRandom)
        {
            writer.WriteString("shared_random", Convert.ToBase64String(sharedRandom.AsReadOnlySpan()));
        }

        writer.WriteStartObject("geometry");
        writer.WriteNumber("nr_hops", Geometry.NrHops);
        writer.WriteNumber("forward_payload_length", Geometry.ForwardPayloadLength);
        writer.WriteNumber("header_length", Geometry.HeaderLength);
        writer.WriteNumber("packet_length", Geometry.PacketLength);
        writer.WriteEndObject();
        writer.WritePropertyName("mixing");
        Mixing.WriteTo(writer);
        writer.WriteStartObject("epochs_covered");
        writer.WriteNumber("first", EpochsCovered.First);
        writer.WriteNumber("last", EpochsCovered.Last);
        writer.WriteEndObject();
        writer.WriteStartArray("providers");
        foreach (NodeDescriptor provider in Providers)
        {
            provider.WriteTo(writer);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("layers");
        foreach (ImmutableArray<NodeDescriptor> layer in Layers)
        {
            writer.WriteStartArray();
            foreach (NodeDescriptor mix in layer)
            {
                mix.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private void Validate()
    {
        if (EpochPeriod < TimeSpan.FromSeconds(1) || EpochPeriod > TimeSpan.FromDays(7) || EpochPeriod.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new TopologyException($"the epoch period must be whole seconds between 1 s and one week, got {EpochPeriod}");
        }

        if (EpochsCovered.Last < EpochsCovered.First)
        {
            throw new TopologyException($"epochs_covered: last ({EpochsCovered.Last}) is before first ({EpochsCovered.First})");
        }

        if (!EpochsCovered.Contains(Epoch))
        {
            throw new TopologyException($"epoch {Epoch} is outside the epochs the document covers ({EpochsCovered})");
        }

        if (Providers.IsEmpty)
        {
            throw new TopologyException("the document lists no provider: routes start and end at providers");
        }

        if (Layers.IsEmpty)
        {
            throw new TopologyException("the document has no mix layer");
        }

        // Provider → one mix per layer → provider.
        if (Layers.Length + 2 > Geometry.NrHops)
        {
            throw new TopologyException($"{Layers.Length} layers make routes of {Layers.Length + 2} hops, but the geometry allows {Geometry.NrHops}");
        }

        foreach (NodeDescriptor provider in Providers)
        {
            if (provider.Role != NodeRole.Provider)
            {
                throw new TopologyException($"mix '{provider.Name}' is in no layer (it is listed among the providers)");
            }
        }

        for (int layer = 0; layer < Layers.Length; layer++)
        {
            if (Layers[layer].IsEmpty)
            {
                throw new TopologyException($"layer {layer} is empty");
            }

            foreach (NodeDescriptor mix in Layers[layer])
            {
                if (mix.Role != NodeRole.Mix)
                {
                    throw new TopologyException($"provider '{mix.Name}' is listed in layer {layer}; providers belong in 'providers'");
                }

                if (mix.Layer != layer)
                {
                    throw new TopologyException($"mix '{mix.Name}' is listed in layer {layer} but its descriptor says layer {mix.Layer}");
                }
            }
        }

        var names = new Dictionary<string, NodeDescriptor>(StringComparer.Ordinal);
        var ids = new Dictionary<Bytes32, NodeDescriptor>();
        var linkKeys = new Dictionary<Bytes32, NodeDescriptor>();
        foreach (NodeDescriptor node in AllNodes)
        {
            if (!names.TryAdd(node.Name, node))
            {
                throw new TopologyException($"two nodes are named '{node.Name}'");
            }

            if (!ids.TryAdd(node.Id, node))
            {
                throw new TopologyException($"duplicate node id: '{ids[node.Id].Name}' and '{node.Name}' have the same identity key");
            }

            if (!linkKeys.TryAdd(node.LinkKey, node))
            {
                throw new TopologyException($"duplicate link key: '{linkKeys[node.LinkKey].Name}' and '{node.Name}' have the same link key");
            }

            if (node.Addresses.IsEmpty)
            {
                throw new TopologyException($"node '{node.Name}' has no address");
            }

            for (long epoch = EpochsCovered.First; epoch <= EpochsCovered.Last; epoch++)
            {
                if (!node.MixKeys.ContainsKey(epoch))
                {
                    throw new TopologyException($"node '{node.Name}' has no mix key for epoch {epoch}, which the document covers ({EpochsCovered})");
                }
            }
        }
    }

    /// <summary>
    /// The mixing object. <c>strategy</c> and the client rates were added later: a document without them is a
    /// Poisson network with the default client rates, which is what it always meant.
    /// </summary>
    public static MixingParameters ParseMixing(JsonElement mixing)
    {
        MixingStrategy strategy = MixingStrategy.Poisson;
        if (mixing.TryGetProperty("strategy", out JsonElement strategyElement))
        {
            strategy = MixingStrategyNames.Parse(strategyElement.ValueKind == JsonValueKind.String ? strategyElement.GetString() : null)
                ?? throw new TopologyException($"mixing: field 'strategy' must be \"{MixingStrategyNames.Poisson}\" or \"{MixingStrategyNames.TimedPool}\"");
        }

        PoolParameters? pool = null;
        if (strategy == MixingStrategy.TimedPool)
        {
            JsonElement poolElement = GetObject(mixing, "pool", "mixing");
            double intervalMs = GetDouble(poolElement, "interval_ms", "mixing.pool");
            if (!double.IsFinite(intervalMs) || intervalMs < 0 || intervalMs > TimeSpan.FromHours(1).TotalMilliseconds)
            {
                throw new TopologyException($"mixing.pool.interval_ms must be between 0 and one hour, got {intervalMs}");
            }

            pool = new PoolParameters(
                TimeSpan.FromMilliseconds(intervalMs),
                GetInt(poolElement, "threshold", "mixing.pool"),
                GetInt(poolElement, "min_pool", "mixing.pool"),
                GetDouble(poolElement, "fraction", "mixing.pool"));
        }

        return new MixingParameters(
            GetDouble(mixing, "mean_delay_ms", "mixing"),
            GetDouble(mixing, "loop_rate_per_sec", "mixing"),
            strategy,
            pool,
            mixing.TryGetProperty("client_payload_rate_per_sec", out _) ? GetDouble(mixing, "client_payload_rate_per_sec", "mixing") : MixingParameters.DefaultClientPayloadRatePerSecond,
            mixing.TryGetProperty("client_loop_rate_per_sec", out _) ? GetDouble(mixing, "client_loop_rate_per_sec", "mixing") : MixingParameters.DefaultClientLoopRatePerSecond);
    }

    private static List<NodeDescriptor> ParseDescriptors(JsonElement array, string where)
    {
        var list = new List<NodeDescriptor>();
        int index = 0;
        foreach (JsonElement element in array.EnumerateArray())
        {
            try
            {
                list.Add(NodeDescriptor.Parse(element));
            }
            catch (FormatException e)
            {
                throw new TopologyException($"{where}[{index}]: {e.Message}", e);
            }

            index++;
        }

        return list;
    }

    private static JsonElement Get(JsonElement element, string field, string where) =>
        element.TryGetProperty(field, out JsonElement value) ? value : throw new TopologyException($"{where}: missing field '{field}'");

    private static JsonElement GetObject(JsonElement element, string field, string where)
    {
        JsonElement value = Get(element, field, where);
        return value.ValueKind == JsonValueKind.Object ? value : throw new TopologyException($"{where}: field '{field}' must be an object");
    }

    private static JsonElement GetArray(JsonElement element, string field, string where)
    {
        JsonElement value = Get(element, field, where);
        return value.ValueKind == JsonValueKind.Array ? value : throw new TopologyException($"{where}: field '{field}' must be an array");
    }

    private static int GetInt(JsonElement element, string field, string where)
    {
        JsonElement value = Get(element, field, where);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int result)
            ? result
            : throw new TopologyException($"{where}: field '{field}' must be an integer");
    }

    private static long GetLong(JsonElement element, string field, string where)
    {
        JsonElement value = Get(element, field, where);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long result)
            ? result
            : throw new TopologyException($"{where}: field '{field}' must be an integer");
    }

    private static double GetDouble(JsonElement element, string field, string where)
    {
        JsonElement value = Get(element, field, where);
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double result)
            ? result
            : throw new TopologyException($"{where}: field '{field}' must be a number");
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Providers.Length} providers, {Layers.Length} layers ({string.Join("/", Layers.Select(l => l.Length))} mixes), {EpochsCovered}");
}
