using System.Text.Json;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Pki;

/// <summary>
/// A node's descriptor for one epoch, signed by the node's identity key, as it uploads it to every authority:
/// a <see cref="SignedEnvelope"/> (context <c>mixnode-descriptor-v1</c>) whose payload is
/// <code>{ "epoch": E, "descriptor": { …the node descriptor… } }</code>
/// The signer must be the descriptor's own <c>identity_key</c>, so nobody can upload a descriptor for a node whose
/// identity key they do not hold. A mix's <c>layer</c> here is only its preference: the consensus assigns layers.
/// </summary>
internal sealed class SignedDescriptor
{
    private SignedDescriptor(long epoch, NodeDescriptor descriptor, SignedEnvelope envelope)
    {
        Epoch = epoch;
        Descriptor = descriptor;
        Envelope = envelope;
    }

    public long Epoch { get; }

    public NodeDescriptor Descriptor { get; }

    /// <summary>The signed upload as sent (authorities put these bytes into their votes unchanged).</summary>
    public SignedEnvelope Envelope { get; }

    public static SignedDescriptor Create(NodeDescriptor descriptor, long epoch, Key identity)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(identity);
        if (!identity.PublicKey.Export(KeyBlobFormat.RawPublicKey).AsSpan().SequenceEqual(descriptor.IdentityKey.AsReadOnlySpan()))
        {
            throw new ArgumentException("the identity key does not match the descriptor's identity_key", nameof(identity));
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WriteNumber("epoch", epoch);
            writer.WritePropertyName("descriptor");
            descriptor.WriteTo(writer);
            writer.WriteEndObject();
        }

        return new SignedDescriptor(epoch, descriptor, SignedEnvelope.Create(SignatureContext.Descriptor, buffer.ToArray(), identity));
    }

    /// <summary>
    /// Parses and verifies an upload: envelope, signature, the descriptor's rules, signer = identity key. Throws
    /// <see cref="SignedEnvelopeException"/> with the reason.
    /// </summary>
    public static SignedDescriptor Open(ReadOnlyMemory<byte> raw)
    {
        SignedEnvelope envelope = SignedEnvelope.Open(raw, SignatureContext.Descriptor);
        try
        {
            using JsonDocument payload = JsonDocument.Parse(envelope.Payload, new JsonDocumentOptions { MaxDepth = 16, AllowDuplicateProperties = false });
            JsonElement root = payload.RootElement;
            if (!root.TryGetProperty("epoch", out JsonElement epochElement) || !epochElement.TryGetInt64(out long epoch))
            {
                throw new SignedEnvelopeException(PkiRefusal.Malformed, "descriptor upload: 'epoch' must be an integer");
            }

            if (!root.TryGetProperty("descriptor", out JsonElement descriptorElement) || descriptorElement.ValueKind != JsonValueKind.Object)
            {
                throw new SignedEnvelopeException(PkiRefusal.Malformed, "descriptor upload: 'descriptor' must be an object");
            }

            NodeDescriptor descriptor = NodeDescriptor.Parse(descriptorElement);
            if (descriptor.IdentityKey != envelope.Signer)
            {
                throw new SignedEnvelopeException(PkiRefusal.BadSignature, $"descriptor upload for '{descriptor.Name}' is signed by another key than its identity key");
            }

            return new SignedDescriptor(epoch, descriptor, envelope);
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            throw new SignedEnvelopeException(PkiRefusal.Malformed, $"descriptor upload: {e.Message}");
        }
    }

    public override string ToString() => $"descriptor of '{Descriptor.Name}' for epoch {Epoch}";
}
