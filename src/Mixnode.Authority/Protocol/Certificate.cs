using System.Security.Cryptography;
using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Protocol;

/// <summary>
/// An authority's signature of the document it computed, sent to the others (context
/// <see cref="SignatureContext.Certificate"/>):
/// <code>{ "epoch": E, "authority": b64, "payload_sha256": b64, "signature": b64 (Ed25519 over the document payload) }</code>
/// A receiver counts it only when the hash matches the payload it computed itself and the signature verifies over
/// that payload: authorities never sign anything they did not compute.
/// </summary>
internal sealed class Certificate
{
    public const string Kind = "certificate";

    private Certificate(long epoch, Bytes32 authority, Bytes32 payloadHash, byte[] signature, SignedEnvelope envelope)
    {
        Epoch = epoch;
        Authority = authority;
        PayloadHash = payloadHash;
        Signature = signature;
        Envelope = envelope;
    }

    public long Epoch { get; }

    public Bytes32 Authority { get; }

    public Bytes32 PayloadHash { get; }

    /// <summary>The document signature (as <see cref="SignedNetworkDocument.SignPayload"/> makes it).</summary>
    public byte[] Signature { get; }

    public SignedEnvelope Envelope { get; }

    public static Certificate Create(long epoch, Key authority, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var self = Bytes32.From(authority.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var hash = Bytes32.From(SHA256.HashData(payload));
        byte[] signature = SignedNetworkDocument.SignPayload(payload, authority);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WriteNumber("epoch", epoch);
            writer.WriteString("authority", Convert.ToBase64String(self.AsReadOnlySpan()));
            writer.WriteString("payload_sha256", Convert.ToBase64String(hash.AsReadOnlySpan()));
            writer.WriteString("signature", Convert.ToBase64String(signature));
            writer.WriteEndObject();
        }

        return new Certificate(epoch, self, hash, signature, SignedEnvelope.Create(SignatureContext.Certificate, buffer.ToArray(), authority));
    }

    public static Certificate Open(ReadOnlyMemory<byte> raw, AuthoritySet authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        SignedEnvelope envelope = MessageFields.OpenFromAuthority(raw, SignatureContext.Certificate, authorities, Kind);

        using JsonDocument payload = MessageFields.ParsePayload(envelope, Kind);
        JsonElement root = payload.RootElement;
        long epoch = MessageFields.Long(root, "epoch", Kind);
        Bytes32 authority = MessageFields.Key(root, "authority", Kind);
        MessageFields.CheckAuthority(envelope, authority, Kind);
        var hash = Bytes32.From(MessageFields.Base64(root, "payload_sha256", Bytes32.Size, Kind));
        byte[] signature = MessageFields.Base64(root, "signature", SignedNetworkDocument.SignatureLength, Kind);
        return new Certificate(epoch, authority, hash, signature, envelope);
    }
}
