using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Client;

/// <summary>
/// Reads and verifies a signed network document for a client. With no authority key given, the key of the document's
/// first signature is trusted (trust on first use): that only proves the file is intact, not who made it, so callers
/// should say so.
/// </summary>
internal static class TopologyLoader
{
    /// <summary>The verified topology; <see cref="ClientException"/> naming what is wrong with the file.</summary>
    public static NetworkTopology Load(string path, Bytes32? authority, out bool trustedOnFirstUse)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        trustedOnFirstUse = authority is null;
        try
        {
            Bytes32 key = authority ?? EmbeddedAuthority(path);
            NetworkDocument document = SignedNetworkDocument.ReadAndVerify(path, key);
            return new NetworkTopology(document, key);
        }
        catch (TopologyException e)
        {
            throw new ClientException($"invalid topology {path}: {e.Message}", e);
        }
    }

    /// <summary>The <c>authority</c> of a signed document's first signature, unverified.</summary>
    public static Bytes32 EmbeddedAuthority(string path)
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

        try
        {
            using JsonDocument json = JsonDocument.Parse(file, new JsonDocumentOptions { MaxDepth = 16 });
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("signatures", out JsonElement signatures)
                || signatures.ValueKind != JsonValueKind.Array
                || signatures.GetArrayLength() == 0
                || signatures[0].ValueKind != JsonValueKind.Object
                || !signatures[0].TryGetProperty("authority", out JsonElement authority))
            {
                throw new TopologyException("missing field 'signatures' (a list of signatures, each naming its 'authority')");
            }

            return NodeDescriptor.DecodeKey(authority, "authority", "signatures[0]");
        }
        catch (JsonException e)
        {
            throw new TopologyException($"not valid JSON: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new TopologyException(e.Message, e);
        }
    }
}
