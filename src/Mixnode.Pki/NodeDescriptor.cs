using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Pki;

/// <summary>
/// A node's public information, as <c>mixnode keygen</c> prints it and the signed network document embeds it.
/// JSON, snake_case: <c>name</c>, <c>id</c> (hex), <c>identity_key</c>, <c>link_key</c>, <c>addresses</c>,
/// <c>role</c>, <c>layer</c> (mixes only), <c>mix_keys</c> {"epoch": key}. Keys are base64, the id is hex
/// because it is a hash that people compare by eye and that Sphinx routing commands carry.
/// </summary>
internal sealed class NodeDescriptor
{
    /// <summary>The layer of a provider (which is in none).</summary>
    public const int NoLayer = -1;

    public const int MaxNameLength = 64;

    public NodeDescriptor(
        string name,
        Bytes32 identityKey,
        Bytes32 linkKey,
        IEnumerable<string> addresses,
        NodeRole role,
        int layer,
        IEnumerable<KeyValuePair<long, Bytes32>> mixKeys)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(mixKeys);
        if (ValidateName(name) is { } nameError)
        {
            throw new FormatException(nameError);
        }

        if (role == NodeRole.Mix && layer < 0)
        {
            throw new FormatException($"node '{name}': a mix needs a layer (0 or more), got {layer}");
        }

        if (role == NodeRole.Provider && layer != NoLayer)
        {
            throw new FormatException($"node '{name}': a provider has no layer, got {layer}");
        }

        ImmutableArray<string> list = [.. addresses];
        for (int i = 0; i < list.Length; i++)
        {
            if (ValidateAddress(list[i]) is { } addressError)
            {
                // The address itself stays out of the message: it may end up in a log.
                throw new FormatException($"node '{name}': address {i + 1} {addressError}");
            }
        }

        Name = name;
        IdentityKey = identityKey;
        Id = ComputeId(identityKey.AsReadOnlySpan());
        LinkKey = linkKey;
        Addresses = list;
        Role = role;
        Layer = layer;
        MixKeys = ImmutableSortedDictionary.CreateRange(mixKeys);
    }

    public string Name { get; }

    /// <summary>BLAKE2b-256 of <see cref="IdentityKey"/>: the node id in Sphinx routing commands.</summary>
    public Bytes32 Id { get; }

    /// <summary>Ed25519 public key.</summary>
    public Bytes32 IdentityKey { get; }

    /// <summary>X25519 public key of the node's Noise static key; an incoming peer must present it.</summary>
    public Bytes32 LinkKey { get; }

    /// <summary>"host:port" strings where the node accepts links.</summary>
    public ImmutableArray<string> Addresses { get; }

    public NodeRole Role { get; }

    /// <summary>The mix layer, or <see cref="NoLayer"/> for providers.</summary>
    public int Layer { get; }

    /// <summary>X25519 mix public keys by epoch.</summary>
    public ImmutableSortedDictionary<long, Bytes32> MixKeys { get; }

    /// <summary>This descriptor with another layer: how a consensus places a mix in the layer it assigned.</summary>
    public NodeDescriptor WithLayer(int layer) =>
        layer == Layer ? this : new(Name, IdentityKey, LinkKey, Addresses, Role, layer, MixKeys);

    /// <summary>This descriptor with only the mix keys of <paramref name="epochs"/> (what a document for them lists).</summary>
    public NodeDescriptor WithMixKeys(EpochRange epochs) =>
        new(Name, IdentityKey, LinkKey, Addresses, Role, Layer, MixKeys.Where(k => epochs.Contains(k.Key)));

    public static Bytes32 ComputeId(ReadOnlySpan<byte> identityKey) =>
        Bytes32.From(HashAlgorithm.Blake2b_256.Hash(identityKey));

    public static string RoleName(NodeRole role) => role == NodeRole.Mix ? "mix" : "provider";

    public static string? ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            return $"a node name must have 1 to {MaxNameLength} characters";
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return $"node name '{name}' may only hold letters, digits, '-', '_' and '.'";
            }
        }

        return null;
    }

    /// <summary>Splits "host:port" or "[v6]:port" (brackets removed) for a connect; false when it is not one.</summary>
    public static bool TrySplitAddress(string address, out string host, out int port)
    {
        int colon = address.LastIndexOf(':');
        host = colon > 0 ? address[..colon].Trim('[', ']') : "";
        port = 0;
        return colon > 0 && int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is > 0 and < 65536 && host.Length > 0;
    }

    /// <summary>
    /// Checks "host:port" or "[v6]:port" without resolving anything. Returns what is wrong, phrased to follow the
    /// address or its description ("is not host:port"), or null when it is fine.
    /// </summary>
    public static string? ValidateAddress(string? address)
    {
        int colon = address?.LastIndexOf(':') ?? -1;
        if (address is null || colon <= 0 || colon == address.Length - 1)
        {
            return "is not host:port";
        }

        string host = address[..colon];
        if (host.Contains(':', StringComparison.Ordinal) && !(host.StartsWith('[') && host.EndsWith(']')))
        {
            return "has an IPv6 host without brackets (write [::1]:port)";
        }

        if (!ushort.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
        {
            return "has no valid port (1-65535)";
        }

        return null;
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("name", Name);
        writer.WriteString("id", Id.ToString());
        writer.WriteString("identity_key", Convert.ToBase64String(IdentityKey.AsReadOnlySpan()));
        writer.WriteString("link_key", Convert.ToBase64String(LinkKey.AsReadOnlySpan()));
        writer.WriteStartArray("addresses");
        foreach (string address in Addresses)
        {
            writer.WriteStringValue(address);
        }

        writer.WriteEndArray();
        writer.WriteString("role", RoleName(Role));
        if (Role == NodeRole.Mix)
        {
            writer.WriteNumber("layer", Layer);
        }

        writer.WriteStartObject("mix_keys");
        foreach ((long epoch, Bytes32 key) in MixKeys)
        {
            writer.WritePropertyName(epoch.ToString(CultureInfo.InvariantCulture));
            writer.WriteStringValue(Convert.ToBase64String(key.AsReadOnlySpan()));
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Indented JSON with a final newline, as written to descriptor.json.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n";
    }

    public static NodeDescriptor Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new FormatException($"descriptor is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads and checks a descriptor; every problem is a <see cref="FormatException"/> naming the field.</summary>
    public static NodeDescriptor Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("a node descriptor must be a JSON object");
        }

        string name = GetString(element, "name", "node");
        string where = $"node '{name}'";
        string idHex = GetString(element, "id", where);
        Bytes32 identityKey = GetKey(element, "identity_key", where);
        Bytes32 linkKey = GetKey(element, "link_key", where);
        string roleText = GetString(element, "role", where);
        NodeRole role = roleText switch
        {
            "mix" => NodeRole.Mix,
            "provider" => NodeRole.Provider,
            _ => throw new FormatException($"{where}: role must be \"mix\" or \"provider\", got \"{roleText}\""),
        };

        int layer = NoLayer;
        if (element.TryGetProperty("layer", out JsonElement layerElement))
        {
            if (layerElement.ValueKind != JsonValueKind.Number || !layerElement.TryGetInt32(out layer))
            {
                throw new FormatException($"{where}: field 'layer' must be an integer");
            }
        }
        else if (role == NodeRole.Mix)
        {
            throw new FormatException($"{where}: missing field 'layer' (every mix has one)");
        }

        if (!element.TryGetProperty("addresses", out JsonElement addressesElement) || addressesElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException($"{where}: missing field 'addresses' (an array of \"host:port\")");
        }

        var addresses = new List<string>();
        foreach (JsonElement address in addressesElement.EnumerateArray())
        {
            addresses.Add(address.ValueKind == JsonValueKind.String ? address.GetString()! : throw new FormatException($"{where}: 'addresses' must hold strings"));
        }

        if (!element.TryGetProperty("mix_keys", out JsonElement mixKeysElement) || mixKeysElement.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where}: missing field 'mix_keys' (an object {{\"epoch\": \"base64 key\"}})");
        }

        var mixKeys = new List<KeyValuePair<long, Bytes32>>();
        foreach (JsonProperty property in mixKeysElement.EnumerateObject())
        {
            if (!long.TryParse(property.Name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long epoch))
            {
                throw new FormatException($"{where}: mix_keys has \"{property.Name}\", which is not an epoch number");
            }

            if (mixKeys.Exists(k => k.Key == epoch))
            {
                throw new FormatException($"{where}: mix_keys lists epoch {epoch} twice");
            }

            mixKeys.Add(new(epoch, DecodeKey(property.Value, $"mix_keys[\"{property.Name}\"]", where)));
        }

        var descriptor = new NodeDescriptor(name, identityKey, linkKey, addresses, role, layer, mixKeys);
        if (!string.Equals(descriptor.Id.ToString(), idHex, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"{where}: id is not BLAKE2b-256 of its identity_key");
        }

        return descriptor;
    }

    private static string GetString(JsonElement element, string field, string where)
    {
        if (!element.TryGetProperty(field, out JsonElement value))
        {
            throw new FormatException($"{where}: missing field '{field}'");
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"{where}: field '{field}' must be a string");
    }

    private static Bytes32 GetKey(JsonElement element, string field, string where)
    {
        if (!element.TryGetProperty(field, out JsonElement value))
        {
            throw new FormatException($"{where}: missing field '{field}'");
        }

        return DecodeKey(value, field, where);
    }

    /// <summary>Decodes a base64 32-byte key, with a message that names the field.</summary>
    public static Bytes32 DecodeKey(JsonElement value, string field, string where)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"{where}: field '{field}' must be a base64 string");
        }

        return DecodeKey(value.GetString()!, field, where);
    }

    public static Bytes32 DecodeKey(string base64, string field, string where)
    {
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new FormatException($"{where}: field '{field}' is not valid base64");
        }

        if (decoded.Length != Bytes32.Size)
        {
            throw new FormatException($"{where}: field '{field}' holds {decoded.Length} bytes, a key has {Bytes32.Size}");
        }

        return Bytes32.From(decoded);
    }
}
