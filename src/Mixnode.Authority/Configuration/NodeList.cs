using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Configuration;

/// <summary>
/// The nodes an authority accepts uploads from (<c>Mixnode:Authority:NodesFile</c>):
/// <code>[ { "name": "mix-0", "identity_key": "base64 Ed25519", "role": "mix" }, … ]</code>
/// An upload signed by any other key is refused <c>unknown_signer</c>: the operators of the authorities decide who
/// joins the network, as Katzenpost's and Tor's authorities do.
/// </summary>
internal sealed class NodeList
{
    public const int MaxNodes = 10_000;

    private readonly Dictionary<Bytes32, ListedNode> _byKey;

    public NodeList(IEnumerable<ListedNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Nodes = [.. nodes];
        if (Nodes.Count > MaxNodes)
        {
            throw new TopologyException(PkiRefusal.Invalid, $"nodes file: {Nodes.Count} nodes, at most {MaxNodes}");
        }

        _byKey = [];
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (ListedNode node in Nodes)
        {
            if (!_byKey.TryAdd(node.IdentityKey, node))
            {
                throw new TopologyException(PkiRefusal.Duplicate, $"nodes file: two entries have the identity key of '{node.Name}'");
            }

            if (!names.Add(node.Name))
            {
                throw new TopologyException(PkiRefusal.Duplicate, $"nodes file: two entries are named '{node.Name}'");
            }
        }
    }

    public IReadOnlyList<ListedNode> Nodes { get; }

    public int Count => Nodes.Count;

    public ListedNode? Find(Bytes32 identityKey) => _byKey.GetValueOrDefault(identityKey);

    public static NodeList Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("expected a JSON array of {name, identity_key, role}");
            }

            var nodes = new List<ListedNode>();
            int index = 0;
            foreach (JsonElement entry in document.RootElement.EnumerateArray())
            {
                string where = $"[{index++}]";
                string name = entry.GetProperty("name").GetString() ?? throw new FormatException($"{where}: 'name' must be a string");
                if (NodeDescriptor.ValidateName(name) is { } nameError)
                {
                    throw new FormatException($"{where}: {nameError}");
                }

                Bytes32 key = NodeDescriptor.DecodeKey(entry.GetProperty("identity_key"), "identity_key", where);
                NodeRole role = entry.GetProperty("role").GetString() switch
                {
                    "mix" => NodeRole.Mix,
                    "provider" => NodeRole.Provider,
                    _ => throw new FormatException($"{where}: 'role' must be mix or provider"),
                };
                nodes.Add(new ListedNode(name, key, role));
            }

            return new NodeList(nodes);
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new TopologyException(PkiRefusal.Malformed, $"nodes file: {e.Message}");
        }
    }

    public static NodeList Read(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyException($"cannot read the nodes file {path}: {e.Message}", e);
        }
    }

    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartArray();
            foreach (ListedNode node in Nodes)
            {
                writer.WriteStartObject();
                writer.WriteString("name", node.Name);
                writer.WriteString("identity_key", Convert.ToBase64String(node.IdentityKey.AsReadOnlySpan()));
                writer.WriteString("role", NodeDescriptor.RoleName(node.Role));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
