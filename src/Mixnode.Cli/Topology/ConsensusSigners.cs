using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Topology;

/// <summary>
/// Explains a consensus that <see cref="SignedNetworkDocument.VerifyWithSigners"/> refused or accepted: which listed
/// authorities signed it validly and which signatures come from keys the authorities file does not list. Only for the
/// report of <c>mixnode topology verify --authorities</c>: whether a document is valid is decided by
/// <see cref="SignedNetworkDocument"/> alone (the node's check); each listed authority's signature is checked here by
/// that same code, with that one authority and threshold 1.
/// </summary>
internal static class ConsensusSigners
{
    /// <summary>The listed authorities whose signature over the document verifies, in the file's order.</summary>
    public static IReadOnlyList<AuthorityInfo> ListedWithValidSignature(ReadOnlyMemory<byte> file, AuthoritySet authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        var valid = new List<AuthorityInfo>();
        foreach (AuthorityInfo authority in authorities.Authorities)
        {
            try
            {
                SignedNetworkDocument.Verify(file, AuthoritySet.Single(authority.PublicKey));
                valid.Add(authority);
            }
            catch (TopologyException)
            {
                // Not signed by it, or not validly: reported as missing.
            }
        }

        return valid;
    }

    /// <summary>The signers' keys (base64) that the authorities file does not list; empty when the file cannot be read as a signed document.</summary>
    public static IReadOnlyList<string> Unlisted(ReadOnlyMemory<byte> file, AuthoritySet authorities)
    {
        ArgumentNullException.ThrowIfNull(authorities);
        var unlisted = new List<string>();
        try
        {
            using JsonDocument json = JsonDocument.Parse(file, new JsonDocumentOptions { MaxDepth = 64 });
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("signatures", out JsonElement signatures)
                || signatures.ValueKind != JsonValueKind.Array)
            {
                return unlisted;
            }

            foreach (JsonElement entry in signatures.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object
                    && entry.TryGetProperty("authority", out JsonElement signer)
                    && signer.ValueKind == JsonValueKind.String
                    && signer.GetString() is { } text
                    && TryDecodeKey(text, out Bytes32 key)
                    && !authorities.Contains(key)
                    && !unlisted.Contains(text))
                {
                    unlisted.Add(text);
                }
            }
        }
        catch (JsonException)
        {
            // The verifier has already said what is wrong with the file.
        }

        return unlisted;
    }

    private static bool TryDecodeKey(string base64, out Bytes32 key)
    {
        Span<byte> bytes = stackalloc byte[Bytes32.Size + 3];
        if (Convert.TryFromBase64String(base64, bytes, out int written) && written == Bytes32.Size)
        {
            key = Bytes32.From(bytes[..written]);
            return true;
        }

        key = default;
        return false;
    }
}
