using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Mixnode.Node.Keys;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Node.Topology;

/// <summary>
/// The signed file: <c>{"payload": {document}, "signature": "base64 Ed25519", "authority": "base64 public key"}</c>.
/// The signature covers the exact UTF-8 bytes of the payload value as they appear in the file, from its '{' to its
/// '}'. So the file stays readable JSON and no canonical form is needed; the price is that reformatting the payload
/// (even whitespace) invalidates the signature. Anything outside the payload may be reformatted freely.
/// </summary>
internal static class SignedNetworkDocument
{
    public const int SignatureLength = 64;

    /// <summary>The signed file for <paramref name="document"/>, as UTF-8 bytes ending with a newline.</summary>
    public static byte[] Sign(NetworkDocument document, Key authority)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(authority);

        // Indent the payload one level more so that it reads naturally inside the envelope; these are the signed bytes.
        byte[] payload = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(document.ToUtf8Json()).Replace("\n", "\n  ", StringComparison.Ordinal));
        byte[] signature = SignatureAlgorithm.Ed25519.Sign(authority, payload);
        byte[] authorityKey = authority.PublicKey.Export(KeyBlobFormat.RawPublicKey);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("payload");
            writer.WriteRawValue(payload, skipInputValidation: false);
            writer.WriteString("signature", Convert.ToBase64String(signature));
            writer.WriteString("authority", Convert.ToBase64String(authorityKey));
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// Checks the envelope, that the authority is <paramref name="expectedAuthority"/>, the signature, then the document's
    /// own rules. Throws <see cref="TopologyException"/> with the specific reason.
    /// </summary>
    public static NetworkDocument Verify(ReadOnlyMemory<byte> file, Bytes32 expectedAuthority)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(file, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new TopologyException($"not valid JSON: {e.Message}", e);
        }

        using (json)
        {
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TopologyException("not a signed network document: expected a JSON object with payload, signature and authority");
            }

            if (!root.TryGetProperty("payload", out JsonElement payload))
            {
                throw new TopologyException("missing field 'payload'");
            }

            if (payload.ValueKind != JsonValueKind.Object)
            {
                throw new TopologyException("field 'payload' must be a JSON object");
            }

            Bytes32 authority;
            try
            {
                authority = NodeDescriptor.DecodeKey(GetString(root, "authority"), "authority", "envelope");
            }
            catch (FormatException e)
            {
                throw new TopologyException(e.Message, e);
            }

            byte[] signature = DecodeSignature(GetString(root, "signature"));
            if (authority != expectedAuthority)
            {
                throw new TopologyException("the document is signed by a different authority than the expected one (check --authority-pub / the node's authority key)");
            }

            if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, authority.AsReadOnlySpan(), KeyBlobFormat.RawPublicKey, out PublicKey? publicKey) || publicKey is null)
            {
                throw new TopologyException("the authority key is not a valid Ed25519 public key");
            }

            ReadOnlySpan<byte> signed = JsonMarshal.GetRawUtf8Value(payload);
            if (!SignatureAlgorithm.Ed25519.Verify(publicKey, signed, signature))
            {
                throw new TopologyException("bad signature: the payload was changed (or reformatted) after it was signed");
            }

            return NetworkDocument.Parse(payload);
        }
    }

    /// <summary>Reads <paramref name="path"/> and verifies it; missing or unreadable files are <see cref="TopologyException"/>s too.</summary>
    public static NetworkDocument ReadAndVerify(string path, Bytes32 expectedAuthority)
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

        return Verify(file, expectedAuthority);
    }

    private static string GetString(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out JsonElement value))
        {
            throw new TopologyException($"missing field '{field}'");
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new TopologyException($"field '{field}' must be a base64 string");
    }

    private static byte[] DecodeSignature(string base64)
    {
        byte[] signature;
        try
        {
            signature = Convert.FromBase64String(base64);
        }
        catch (FormatException e)
        {
            throw new TopologyException("field 'signature' is not valid base64", e);
        }

        return signature.Length == SignatureLength
            ? signature
            : throw new TopologyException($"field 'signature' holds {signature.Length} bytes, an Ed25519 signature has {SignatureLength}");
    }
}
