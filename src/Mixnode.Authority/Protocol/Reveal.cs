using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Authority.Protocol;

/// <summary>
/// An authority's reveal (context <see cref="SignatureContext.Reveal"/>):
/// <code>{ "epoch": E, "authority": b64, "reveal": b64 (32 bytes), "votes": [ signed vote, … ] }</code>
/// The reveal must hash to the commit of the authority's vote. It also carries every vote its sender holds, so a
/// vote that reached only some authorities reaches all, and an authority that sent different votes to different
/// peers is caught by everyone who sees both.
/// </summary>
internal sealed class Reveal
{
    public const string Kind = "reveal";

    private Reveal(long epoch, Bytes32 authority, Bytes32 value, IReadOnlyList<ReadOnlyMemory<byte>> votes, SignedEnvelope envelope)
    {
        Epoch = epoch;
        Authority = authority;
        Value = value;
        Votes = votes;
        Envelope = envelope;
    }

    public long Epoch { get; }

    public Bytes32 Authority { get; }

    public Bytes32 Value { get; }

    /// <summary>The raw votes the sender held (its own included), to be opened and checked by the receiver.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Votes { get; }

    public SignedEnvelope Envelope { get; }

    public Bytes32 Commitment => Commit(Value);

    public static Bytes32 Commit(Bytes32 reveal) => Bytes32.From(SHA256.HashData(reveal.AsReadOnlySpan()));

    public static Reveal Create(long epoch, Key authority, Bytes32 value, IEnumerable<ReadOnlyMemory<byte>> votes)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(votes);
        var self = Bytes32.From(authority.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        ReadOnlyMemory<byte>[] list = [.. votes];
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonFormat.Indented))
        {
            writer.WriteStartObject();
            writer.WriteNumber("epoch", epoch);
            writer.WriteString("authority", Convert.ToBase64String(self.AsReadOnlySpan()));
            writer.WriteString("reveal", Convert.ToBase64String(value.AsReadOnlySpan()));
            writer.WriteStartArray("votes");
            foreach (ReadOnlyMemory<byte> vote in list)
            {
                writer.WriteRawValue(vote.Span.TrimEnd((byte)'\n'));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return new Reveal(epoch, self, value, list, SignedEnvelope.Create(SignatureContext.Reveal, buffer.ToArray(), authority));
    }

    public static Reveal Open(ReadOnlyMemory<byte> raw, AuthoritySet authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        SignedEnvelope envelope = MessageFields.OpenFromAuthority(raw, SignatureContext.Reveal, authorities, Kind);

        using JsonDocument payload = MessageFields.ParsePayload(envelope, Kind);
        JsonElement root = payload.RootElement;
        long epoch = MessageFields.Long(root, "epoch", Kind);
        Bytes32 authority = MessageFields.Key(root, "authority", Kind);
        MessageFields.CheckAuthority(envelope, authority, Kind);
        var value = Bytes32.From(MessageFields.Base64(root, "reveal", Bytes32.Size, Kind));
        var votes = new List<ReadOnlyMemory<byte>>();
        foreach (JsonElement vote in MessageFields.Array(root, "votes", Kind).EnumerateArray())
        {
            // One per authority, plus two for each equivocator (the evidence).
            if (votes.Count >= 3 * authorities.Authorities.Length)
            {
                throw MessageFields.Malformed(Kind, "more votes than three per authority");
            }

            votes.Add(JsonMarshal.GetRawUtf8Value(vote).ToArray());
        }

        return new Reveal(epoch, authority, value, votes, envelope);
    }
}
