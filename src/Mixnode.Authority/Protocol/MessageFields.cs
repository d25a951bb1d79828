using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Authority.Protocol;

/// <summary>Reading the fields of the authorities' messages; anything missing or mistyped is <see cref="PkiRefusal.Malformed"/>.</summary>
internal static class MessageFields
{
    public static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    public static JsonDocument ParsePayload(SignedEnvelope envelope, string kind)
    {
        try
        {
            return JsonDocument.Parse(envelope.Payload, ParseOptions);
        }
        catch (JsonException e)
        {
            throw Malformed(kind, e.Message);
        }
    }

    // TryGetInt64 throws (InvalidOperationException) on a value that is not a number: check the kind first (found by fuzzing).
    public static long Long(JsonElement root, string field, string kind) =>
        root.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long result)
            ? result
            : throw Malformed(kind, $"'{field}' must be an integer");

    public static Bytes32 Key(JsonElement root, string field, string kind)
    {
        try
        {
            return root.TryGetProperty(field, out JsonElement value) ? NodeDescriptor.DecodeKey(value, field, kind) : throw Malformed(kind, $"missing field '{field}'");
        }
        catch (FormatException e)
        {
            throw Malformed(kind, e.Message);
        }
    }

    public static byte[] Base64(JsonElement root, string field, int length, string kind)
    {
        if (!root.TryGetProperty(field, out JsonElement value) || value.ValueKind != JsonValueKind.String || !value.TryGetBytesFromBase64(out byte[]? bytes) || bytes.Length != length)
        {
            throw Malformed(kind, $"'{field}' must be {length} bytes in base64");
        }

        return bytes;
    }

    public static JsonElement Array(JsonElement root, string field, string kind) =>
        root.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.Array ? value : throw Malformed(kind, $"'{field}' must be an array");

    /// <summary>
    /// Opens an authority message: the signature under <paramref name="context"/>, then the signer must be a listed
    /// authority — checked before anything of the payload is parsed.
    /// </summary>
    public static SignedEnvelope OpenFromAuthority(ReadOnlyMemory<byte> raw, ReadOnlySpan<byte> context, AuthoritySet authorities, string kind)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        SignedEnvelope envelope = SignedEnvelope.Open(raw, context);
        return authorities.Contains(envelope.Signer)
            ? envelope
            : throw new SignedEnvelopeException(PkiRefusal.UnknownSigner, $"{kind} signed by a key that is not a listed authority");
    }

    /// <summary>The authority a message's payload names must be its signer (opened by <see cref="OpenFromAuthority"/>).</summary>
    public static void CheckAuthority(SignedEnvelope envelope, Bytes32 named, string kind)
    {
        if (named != envelope.Signer)
        {
            throw new SignedEnvelopeException(PkiRefusal.BadSignature, $"{kind} names another authority than its signer");
        }
    }

    public static SignedEnvelopeException Malformed(string kind, string message) => new(PkiRefusal.Malformed, $"{kind}: {message}");
}
