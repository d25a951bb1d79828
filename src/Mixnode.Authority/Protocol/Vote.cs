using System.Runtime.InteropServices;
using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Protocol;

/// <summary>
/// An authority's vote for the document of one epoch: a <see cref="SignedEnvelope"/> (context
/// <see cref="SignatureContext.Vote"/>) whose payload is
/// <code>{ "epoch": E, "authority": b64, "sent_at": unix ms, "commit": b64 SHA-256(reveal), "parameters": {…},
///   "descriptors": [ signed upload, … sorted by identity key ] }</code>
/// The uploads are the nodes' own signed envelopes, unchanged, so every authority checks every node's signature
/// itself and nobody can put words in a node's mouth.
/// </summary>
internal sealed class Vote
{
    public const string Kind = "vote";

    private Vote(long epoch, Bytes32 authority, DateTimeOffset sentAt, Bytes32 commit, NetworkParameters parameters, IReadOnlyList<SignedDescriptor> descriptors, SignedEnvelope envelope)
    {
        Epoch = epoch;
        Authority = authority;
        SentAt = sentAt;
        Commit = commit;
        Parameters = parameters;
        Descriptors = descriptors;
        Envelope = envelope;
    }

    public long Epoch { get; }

    public Bytes32 Authority { get; }

    public DateTimeOffset SentAt { get; }

    /// <summary>SHA-256 of the authority's secret reveal for this epoch.</summary>
    public Bytes32 Commit { get; }

    public NetworkParameters Parameters { get; }

    /// <summary>The uploads, sorted by identity key, at most one per node.</summary>
    public IReadOnlyList<SignedDescriptor> Descriptors { get; }

    public SignedEnvelope Envelope { get; }

    public static Vote Create(long epoch, Key authority, DateTimeOffset sentAt, Bytes32 commit, NetworkParameters parameters, IEnumerable<SignedDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(descriptors);
        SignedDescriptor[] sorted = [.. descriptors.OrderBy(d => d.Descriptor.IdentityKey, IdentityKeyComparer.Instance)];
        var self = Bytes32.From(authority.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WriteNumber("epoch", epoch);
            writer.WriteString("authority", Convert.ToBase64String(self.AsReadOnlySpan()));
            writer.WriteNumber("sent_at", sentAt.ToUnixTimeMilliseconds());
            writer.WriteString("commit", Convert.ToBase64String(commit.AsReadOnlySpan()));
            writer.WritePropertyName("parameters");
            writer.WriteRawValue(parameters.Canonical.Span);
            writer.WriteStartArray("descriptors");
            foreach (SignedDescriptor descriptor in sorted)
            {
                writer.WriteRawValue(descriptor.Envelope.Raw.Span.TrimEnd((byte)'\n'));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        SignedEnvelope envelope = SignedEnvelope.Create(SignatureContext.Vote, buffer.ToArray(), authority);
        return new Vote(epoch, self, DateTimeOffset.FromUnixTimeMilliseconds(sentAt.ToUnixTimeMilliseconds()), commit, parameters, sorted, envelope);
    }

    /// <summary>
    /// Parses and verifies a vote: the envelope's signature, the signer a listed authority, every upload's signature
    /// and epoch, at most one upload per node. Throws <see cref="SignedEnvelopeException"/> with the reason.
    /// </summary>
    public static Vote Open(ReadOnlyMemory<byte> raw, AuthoritySet authorities, DescriptorCache cache)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        ArgumentNullException.ThrowIfNull(cache);
        SignedEnvelope envelope = MessageFields.OpenFromAuthority(raw, SignatureContext.Vote, authorities, Kind);

        using JsonDocument payload = MessageFields.ParsePayload(envelope, Kind);
        JsonElement root = payload.RootElement;
        long epoch = MessageFields.Long(root, "epoch", Kind);
        Bytes32 authority = MessageFields.Key(root, "authority", Kind);
        MessageFields.CheckAuthority(envelope, authority, Kind);
        long sentAt = MessageFields.Long(root, "sent_at", Kind);
        Bytes32 commit = MessageFields.Key(root, "commit", Kind);
        NetworkParameters parameters;
        try
        {
            parameters = root.TryGetProperty("parameters", out JsonElement p) ? NetworkParameters.Parse(p) : throw new FormatException("missing 'parameters'");
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException or TopologyException or ArgumentException)
        {
            throw MessageFields.Malformed(Kind, $"parameters: {e.Message}");
        }

        var descriptors = new List<SignedDescriptor>();
        var seen = new HashSet<Bytes32>();
        foreach (JsonElement element in MessageFields.Array(root, "descriptors", Kind).EnumerateArray())
        {
            SignedDescriptor descriptor = cache.Open(JsonMarshal.GetRawUtf8Value(element).ToArray());
            if (descriptor.Epoch != epoch)
            {
                throw new SignedEnvelopeException(PkiRefusal.WrongEpoch, $"vote for epoch {epoch} holds an upload for epoch {descriptor.Epoch}");
            }

            if (!seen.Add(descriptor.Descriptor.IdentityKey))
            {
                throw new SignedEnvelopeException(PkiRefusal.Duplicate, "vote holds two uploads of one node");
            }

            descriptors.Add(descriptor);
        }

        if (sentAt < -62_135_596_800_000 || sentAt > 253_402_300_799_999)
        {
            throw MessageFields.Malformed(Kind, "'sent_at' is out of range");
        }

        return new Vote(epoch, authority, DateTimeOffset.FromUnixTimeMilliseconds(sentAt), commit, parameters, descriptors, envelope);
    }

    /// <summary>Whether <paramref name="other"/> is the very same signed vote (anything else from one authority for one epoch is equivocation).</summary>
    public bool SameAs(Vote other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Envelope.Payload.Span.SequenceEqual(other.Envelope.Payload.Span);
    }
}
