using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Pki;

/// <summary>
/// One signer's signed object: <c>{"payload": {…}, "signer": "base64 Ed25519 public key", "signature": "base64"}</c>.
/// As with the network document, the signature covers the exact UTF-8 bytes of the payload value as they appear in
/// the message (with the kind's <see cref="SignatureContext"/> in front), so no canonical JSON is needed. Used for
/// descriptor uploads and for the messages authorities exchange.
/// </summary>
internal sealed class SignedEnvelope
{
    public const int SignatureLength = 64;

    /// <summary>Largest envelope anyone parses (a vote of a few thousand descriptors fits).</summary>
    public const int MaxLength = 16 << 20;

    private SignedEnvelope(Bytes32 signer, byte[] payload, byte[] signature, byte[] raw)
    {
        Signer = signer;
        Payload = payload;
        Signature = signature;
        Raw = raw;
    }

    /// <summary>The Ed25519 public key that signed.</summary>
    public Bytes32 Signer { get; }

    /// <summary>The signed payload bytes (a JSON object).</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    /// <summary>The whole envelope as received or created; forwarding it keeps the signature valid.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>Signs <paramref name="payloadJson"/> (a JSON object, written as is) under <paramref name="context"/>.</summary>
    public static SignedEnvelope Create(ReadOnlySpan<byte> context, ReadOnlySpan<byte> payloadJson, Key signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        byte[] payload = payloadJson.ToArray();
        byte[] signature = SignatureAlgorithm.Ed25519.Sign(signer, SignatureContext.Bind(context, payload));
        var signerKey = Bytes32.From(signer.PublicKey.Export(KeyBlobFormat.RawPublicKey));

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("payload");
            writer.WriteRawValue(payload, skipInputValidation: false);
            writer.WriteString("signer", Convert.ToBase64String(signerKey.AsReadOnlySpan()));
            writer.WriteString("signature", Convert.ToBase64String(signature));
            writer.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        byte[] raw = buffer.ToArray();
        return new SignedEnvelope(signerKey, payload, signature, raw);
    }

    /// <summary>
    /// Parses an envelope and checks its signature under <paramref name="context"/> with the key it names. Who that
    /// signer is allowed to be is the caller's check. Throws <see cref="SignedEnvelopeException"/> with a
    /// <see cref="PkiRefusal"/> reason.
    /// </summary>
    public static SignedEnvelope Open(ReadOnlyMemory<byte> raw, ReadOnlySpan<byte> context)
    {
        if (raw.Length > MaxLength)
        {
            throw new SignedEnvelopeException(PkiRefusal.Oversized, $"message of {raw.Length} bytes is larger than the limit of {MaxLength}");
        }

        // JsonDocument checks structure, not the UTF-8 inside strings: reading such a string later throws
        // InvalidOperationException, which no caller expects from a peer's bad message (found by fuzzing).
        if (!Utf8.IsValid(raw.Span))
        {
            throw new SignedEnvelopeException(PkiRefusal.Malformed, "not valid JSON: the message is not valid UTF-8");
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(raw, new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new SignedEnvelopeException(PkiRefusal.Malformed, $"not valid JSON: {e.Message}");
        }

        using (json)
        {
            JsonElement root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new SignedEnvelopeException(PkiRefusal.Malformed, "expected a JSON object with payload, signer and signature");
            }

            if (!root.TryGetProperty("payload", out JsonElement payload) || payload.ValueKind != JsonValueKind.Object)
            {
                throw new SignedEnvelopeException(PkiRefusal.Malformed, "field 'payload' must be a JSON object");
            }

            Bytes32 signer;
            byte[] signature;
            try
            {
                signer = NodeDescriptor.DecodeKey(GetString(root, "signer"), "signer", "envelope");
                signature = Convert.FromBase64String(GetString(root, "signature"));
            }
            catch (FormatException e)
            {
                throw new SignedEnvelopeException(PkiRefusal.Malformed, e.Message);
            }

            if (signature.Length != SignatureLength)
            {
                throw new SignedEnvelopeException(PkiRefusal.Malformed, $"field 'signature' holds {signature.Length} bytes, an Ed25519 signature has {SignatureLength}");
            }

            byte[] payloadBytes = JsonMarshal.GetRawUtf8Value(payload).ToArray();
            if (!VerifySignature(signer, context, payloadBytes, signature))
            {
                throw new SignedEnvelopeException(PkiRefusal.BadSignature, "bad signature: the payload was changed after it was signed, or signed for another purpose");
            }

            return new SignedEnvelope(signer, payloadBytes, signature, raw.ToArray());
        }
    }

    /// <summary>Checks an Ed25519 signature of <c>context ‖ 0 ‖ payload</c>; false for an invalid key too.</summary>
    public static bool VerifySignature(Bytes32 signer, ReadOnlySpan<byte> context, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength
            || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, signer.AsReadOnlySpan(), KeyBlobFormat.RawPublicKey, out PublicKey? key)
            || key is null)
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(key, SignatureContext.Bind(context, payload), signature);
    }

    public override string ToString() => $"envelope signed by {Convert.ToBase64String(Signer.AsReadOnlySpan())[..8]}…, {Payload.Length} payload bytes";

    private static string GetString(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out JsonElement value))
        {
            throw new FormatException($"missing field '{field}'");
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FormatException($"field '{field}' must be a base64 string");
    }
}
