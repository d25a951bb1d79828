using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Mixnode.Sphinx;

namespace Mixnode.Pki;

/// <summary>
/// The directory authorities a party trusts and how many of them must sign a document: <c>authorities.json</c>.
/// <code>
/// { "threshold": 2,
///   "authorities": [ { "name": "auth-0", "address": "127.0.0.1:31000", "public_key": "base64 Ed25519" }, … ] }
/// </code>
/// The threshold must be a majority (more than half of the listed authorities): with less, two disjoint groups
/// could each publish a different document for the same epoch.
/// </summary>
internal sealed class AuthoritySet
{
    public const int MaxAuthorities = 64;

    public AuthoritySet(IEnumerable<AuthorityInfo> authorities, int threshold)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        Authorities = [.. authorities];
        if (Authorities.IsEmpty)
        {
            throw new TopologyException("no authorities listed");
        }

        if (Authorities.Length > MaxAuthorities)
        {
            throw new TopologyException($"{Authorities.Length} authorities listed; at most {MaxAuthorities}");
        }

        if (Authorities.Select(a => a.PublicKey).Distinct().Count() != Authorities.Length)
        {
            throw new TopologyException("two authorities have the same public key");
        }

        if (Authorities.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count() != Authorities.Length)
        {
            throw new TopologyException("two authorities have the same name");
        }

        if (threshold < Majority(Authorities.Length) || threshold > Authorities.Length)
        {
            throw new TopologyException(
                $"threshold {threshold} for {Authorities.Length} authorities: it must be at least a majority ({Majority(Authorities.Length)}) and at most {Authorities.Length}");
        }

        Threshold = threshold;
    }

    public ImmutableArray<AuthorityInfo> Authorities { get; }

    public int Threshold { get; }

    /// <summary>⌊n/2⌋ + 1.</summary>
    public static int Majority(int count) => (count / 2) + 1;

    /// <summary>One authority with threshold 1: the offline-signed document of <c>mixnode topology sign</c>.</summary>
    public static AuthoritySet Single(Bytes32 publicKey) => new([new AuthorityInfo("offline", "127.0.0.1:1", publicKey)], 1);

    public bool Contains(Bytes32 publicKey) => Authorities.Any(a => a.PublicKey == publicKey);

    public AuthorityInfo? Find(Bytes32 publicKey) => Authorities.FirstOrDefault(a => a.PublicKey == publicKey);

    public static AuthoritySet Parse(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 8, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new TopologyException(PkiRefusal.Malformed, $"authorities file: not valid JSON: {e.Message}");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("authorities", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                throw new TopologyException(PkiRefusal.Malformed, "authorities file: expected an object with an 'authorities' array");
            }

            var authorities = new List<AuthorityInfo>();
            int index = 0;
            foreach (JsonElement entry in list.EnumerateArray())
            {
                string where = $"authorities[{index++}]";
                try
                {
                    string name = entry.GetProperty("name").GetString() ?? throw new FormatException($"{where}: 'name' must be a string");
                    string address = entry.GetProperty("address").GetString() ?? throw new FormatException($"{where}: 'address' must be a string");
                    if (NodeDescriptor.ValidateName(name) is { } nameError)
                    {
                        throw new FormatException($"{where}: {nameError}");
                    }

                    if (NodeDescriptor.ValidateAddress(address) is { } addressError)
                    {
                        throw new FormatException($"{where}: address {addressError}");
                    }

                    Bytes32 key = NodeDescriptor.DecodeKey(entry.GetProperty("public_key"), "public_key", where);
                    authorities.Add(new AuthorityInfo(name, address, key));
                }
                catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException)
                {
                    throw new TopologyException(PkiRefusal.Malformed, $"authorities file: {where}: {e.Message}");
                }
            }

            int threshold = root.TryGetProperty("threshold", out JsonElement t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt32(out int value)
                ? value
                : root.TryGetProperty("threshold", out _)
                    ? throw new TopologyException(PkiRefusal.Malformed, "authorities file: 'threshold' must be an integer")
                    : Majority(authorities.Count);
            return new AuthoritySet(authorities, threshold);
        }
    }

    public static AuthoritySet Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyException($"cannot read the authorities file {path}: {e.Message}", e);
        }

        return Parse(bytes);
    }

    public byte[] ToUtf8Json()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WriteNumber("threshold", Threshold);
            writer.WriteStartArray("authorities");
            foreach (AuthorityInfo authority in Authorities)
            {
                writer.WriteStartObject();
                writer.WriteString("name", authority.Name);
                writer.WriteString("address", authority.Address);
                writer.WriteString("public_key", Convert.ToBase64String(authority.PublicKey.AsReadOnlySpan()));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    public override string ToString() => new StringBuilder().Append(Threshold).Append(" of ").Append(Authorities.Length).Append(" authorities").ToString();
}
