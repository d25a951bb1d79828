using System.Text.Json;
using Mixnode.Node.Keys;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// <c>DIR/nodes.json</c>: what runs where, for tools such as the load generator and for operators.
/// <c>[{name, role, layer, address, client_address, metrics_url, pid}]</c>; layer is null for providers,
/// client_address null for mixes, metrics_url null until nodes expose metrics.
/// </summary>
internal static class NodesFile
{
    public static void Write(string path, IEnumerable<NodeProcess> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (NodeProcess running in nodes)
            {
                TestnetNode node = running.Node;
                json.WriteStartObject();
                json.WriteString("name", node.Name);
                json.WriteString("role", node.RoleName);
                if (node.Layer is { } layer)
                {
                    json.WriteNumber("layer", layer);
                }
                else
                {
                    json.WriteNull("layer");
                }

                json.WriteString("address", node.Address);
                if (node.ClientAddress is not null)
                {
                    json.WriteString("client_address", node.ClientAddress);
                }
                else
                {
                    json.WriteNull("client_address");
                }

                json.WriteNull("metrics_url");
                json.WriteNumber("pid", running.Pid);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        buffer.WriteByte((byte)'\n');
        KeyFile.WriteAtomically(path, buffer.ToArray(), KeyFile.PublicMode);
    }
}
