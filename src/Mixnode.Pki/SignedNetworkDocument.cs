using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Pki;

/// <summary>
/// The signed file:
/// <code>
/// { "payload": {document},
///   "signatures": [ { "authority": "base64 Ed25519 public key", "signature": "base64" }, … ] }
/// </code>
/// Each signature covers <c>"mixnode-network-document-v1" ‖ 0x00 ‖ payload</c>, where the payload is the exact
/// UTF-8 bytes of the payload value as they appear in the file, from its '{' to its '}'. So the file stays readable
/// JSON and no canonical form is needed; the price is that reformatting the payload (even whitespace) invalidates
/// every signature. Anything outside the payload may be reformatted freely. A document is valid for an
/// <see cref="AuthoritySet"/> when at least its threshold of distinct listed authorities signed it; signatures by
/// unknown keys are ignored (they neither count nor spoil the document).
/// </summary>
internal static class SignedNetworkDocument
{
    public const int SignatureLength = 64;

    /// <summary>Largest document file anyone parses.</summary>
    public const int MaxLength = 16 << 20;

    /// <summary>The payload bytes the authorities sign for <paramref name="document"/> (indented to sit inside the envelope).</summary>
    public static byte[] Payload(NetworkDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(document.ToUtf8Json()).Replace("\n", "\n  ", StringComparison.Ordinal));
    }

    /// <summary>One authority's signature of <paramref name="payload"/>.</summary>
    public static byte[] SignPayload(ReadOnlySpan<byte> payload, Key authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        return SignatureAlgorithm.Ed25519.Sign(authority, SignatureContext.Bind(SignatureContext.NetworkDocument, payload));
    }

    /// <summary>Whether <paramref name="signature"/> is <paramref name="authority"/>'s signature of <paramref name="payload"/>.</summary>
    public static bool VerifyPayload(ReadOnlySpan<byte> payload, Bytes32 authority, ReadOnlySpan<byte> signature) =>
        SignedEnvelope.VerifySignature(authority, SignatureContext.NetworkDocument, payload, signature);

    /// <summary>The file for <paramref name="payload"/> with the given signatures, as UTF-8 bytes ending with a newline.</summary>
    public static byte[] Assemble(ReadOnlySpan<byte> payload, IEnumerable<KeyValuePair<Bytes32, byte[]>> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("payload");
            writer.WriteRawValue(payload, skipInputValidation: false);
            writer.WriteStartArray("signatures");

            // Sorted by key: the same set of signatures always makes the same file.
            foreach (KeyValuePair<Bytes32, byte[]> signature in signatures.OrderBy(s => Convert.ToBase64String(s.Key.AsReadOnlySpan()), StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("authority", Convert.ToBase64String(signature.Key.AsReadOnlySpan()));
                writer.WriteString("signature", Convert.ToBase64String(signature.Value));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>The file for <paramref name="document"/> signed by one authority (<c>mixnode topology sign</c>).</summary>
    public static byte[] Sign(NetworkDocument document, Key authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        byte[] payload = Payload(document);
        var key = Bytes32.From(authority.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        return Assemble(payload, [new(key, SignPayload(payload, authority))]);
    }

    /// <summary>Verifies a document signed by one expected authority (threshold 1).</summary>
    public static NetworkDocument Verify(ReadOnlyMemory<byte> file, Bytes32 expectedAuthority) => Verify(file, AuthoritySet.Single(expectedAuthority));

    /// <summary>
    /// Checks the envelope, that at least the threshold of <paramref name="authorities"/> signed it, then the
    /// document's own rules. Throws <see cref="TopologyException"/> with the specific reason and a
    /// <see cref="PkiRefusal"/>.
    /// </summary>
    public static NetworkDocument Verify(ReadOnlyMemory<byte> file, AuthoritySet authorities) => VerifyWithSigners(file, authorities).Document;

    /// <summary>As <see cref="Verify(ReadOnlyMemory{byte}, AuthoritySet)"/>, also returning which listed authorities signed.</summary>
    public static (NetworkDocument Document, IReadOnlyList<Bytes32> Signers) VerifyWithSigners(ReadOnlyMemory<byte> file, AuthoritySet authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        if (file.Length > MaxLength)
        {
            throw new TopologyException(PkiRefusal.Oversized, $"the document is {file.Length} bytes, more than the limit of {MaxLength}");
        }

        // JsonDocument checks structure, not the UTF-8 inside strings: reading such a string later throws
        // InvalidOperationException, which no caller expects from a bad document (found by fuzzing).
        if (!Utf8.IsValid(file.Span))
        {
            throw new TopologyException(PkiRefusal.Malformed, "not valid JSON: the document is not valid UTF-8");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(file, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new TopologyException(PkiRefusal.Malformed, $"not valid JSON: {e.Message}");
        }

        using (json)
        {
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TopologyException(PkiRefusal.Malformed, "not a signed network document: expected a JSON object with payload and signatures");
            }

            if (!root.TryGetProperty("payload", out JsonElement payload))
            {
                throw new TopologyException(PkiRefusal.Malformed, "missing field 'payload'");
            }

            if (payload.ValueKind != JsonValueKind.Object)
            {
                throw new TopologyException(PkiRefusal.Malformed, "field 'payload' must be a JSON object");
            }

            if (!root.TryGetProperty("signatures", out JsonElement signatures))
            {
                throw new TopologyException(
                    PkiRefusal.Malformed,
                    root.TryGetProperty("signature", out _)
                        ? "this document has the old single 'signature' field, signed without a domain-separation context; sign it again with this version (mixnode topology sign)"
                        : "missing field 'signatures'");
            }

            if (signatures.ValueKind != JsonValueKind.Array)
            {
                throw new TopologyException(PkiRefusal.Malformed, "field 'signatures' must be an array");
            }

            ReadOnlySpan<byte> signed = JsonMarshal.GetRawUtf8Value(payload);
            var valid = new List<Bytes32>();
            int index = 0;
            bool anyKnown = false;
            foreach (JsonElement entry in signatures.EnumerateArray())
            {
                string where = $"signatures[{index++}]";
                if (entry.ValueKind != JsonValueKind.Object)
                {
                    throw new TopologyException(PkiRefusal.Malformed, $"{where} must be an object with authority and signature");
                }

                Bytes32 authority;
                byte[] signature;
                try
                {
                    authority = NodeDescriptor.DecodeKey(GetString(entry, "authority", where), "authority", where);
                    signature = Convert.FromBase64String(GetString(entry, "signature", where));
                }
                catch (FormatException e)
                {
                    throw new TopologyException(PkiRefusal.Malformed, $"{where}: {e.Message}");
                }

                if (signature.Length != SignatureLength)
                {
                    throw new TopologyException(PkiRefusal.Malformed, $"{where}: the signature holds {signature.Length} bytes, an Ed25519 signature has {SignatureLength}");
                }

                if (!authorities.Contains(authority) || valid.Contains(authority))
                {
                    continue;
                }

                anyKnown = true;
                if (VerifyPayload(signed, authority, signature))
                {
                    valid.Add(authority);
                }
            }

            if (valid.Count < authorities.Threshold)
            {
                string why = valid.Count == 0 && !anyKnown
                    ? "the document is signed by none of the expected authorities (check --authority-pub / the authorities file)"
                    : valid.Count == 0 && authorities.Threshold == 1
                        ? "bad signature: the payload was changed (or reformatted) after it was signed"
                        : $"the document carries valid signatures of {valid.Count} of the expected authorities; {authorities.Threshold} are needed";
                throw new TopologyException(valid.Count == 0 && anyKnown ? PkiRefusal.BadSignature : PkiRefusal.BelowThreshold, why);
            }

            return (NetworkDocument.Parse(payload), valid);
        }
    }

    /// <summary>Reads <paramref name="path"/> and verifies it; missing or unreadable files are <see cref="TopologyException"/>s too.</summary>
    public static NetworkDocument ReadAndVerify(string path, Bytes32 expectedAuthority) => ReadAndVerify(path, AuthoritySet.Single(expectedAuthority));

    /// <summary>Reads <paramref name="path"/> and verifies it against <paramref name="authorities"/>.</summary>
    public static NetworkDocument ReadAndVerify(string path, AuthoritySet authorities)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyException($"cannot read the network document {path}: {e.Message}", e);
        }

        return Verify(file, authorities);
    }

    private static string GetString(JsonElement element, string field, string where)
    {
        if (!element.TryGetProperty(field, out JsonElement value))
        {
            throw new FormatException($"missing field '{field}' in {where}");
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"field '{field}' must be a base64 string");
    }
}
