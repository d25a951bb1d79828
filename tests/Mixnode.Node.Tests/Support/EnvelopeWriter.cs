using System.Text;
using System.Text.Json.Nodes;
using Mixnode.Pki;
using Mixnode.Node.Topology;
using NSec.Cryptography;

namespace Mixnode.Node.Tests.Support;

/// <summary>
/// Signs arbitrary payload JSON the way the authority would, so tests can produce correctly signed documents that
/// break the document rules (the typed API refuses to build those).
/// </summary>
internal static class EnvelopeWriter
{
    public static JsonObject PayloadOf(NetworkDocument document) =>
        JsonNode.Parse(document.ToUtf8Json())!.AsObject();

    public static byte[] Sign(JsonObject payload, Key authority) => Sign(payload.ToJsonString(), authority);

    public static byte[] Sign(string payload, Key authority)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(payload);
        string signature = Convert.ToBase64String(SignedNetworkDocument.SignPayload(bytes, authority));
        string key = Convert.ToBase64String(authority.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        return Encoding.UTF8.GetBytes($"{{\"payload\": {payload}, \"signatures\": [{{\"authority\": \"{key}\", \"signature\": \"{signature}\"}}]}}");
    }
}
