using System.Text.Json;
using Mixnode.Pki;
using Mixnode.Node.Keys;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// <c>DIR/nodes.json</c>: what runs where, for tools such as the load generator and for operators.
/// <c>[{name, role, layer, address, client_address, metrics_url, pid}]</c>; role is mix, provider or authority (the
/// directory authorities: address is their HTTP API); layer is null for providers and authorities,
/// client_address null for mixes, metrics_url the node's Prometheus endpoint. Its existence is the contract scripts
/// wait on: the running testnet writes it (atomically) only once every node reports ready, so a file with pids means
/// the network is up. Generation deletes any earlier one; while the nodes start, the same list with the pids so far
/// goes to <see cref="TestnetLayout.StartingNodesFilePath"/> instead, where a pid is null until its node started.
/// </summary>
internal static class NodesFile
{
    /// <param name="layers">Mixes' layers in the current consensus, when the authorities assign them (by name).</param>
    public static void Write(string path, IEnumerable<NodeProcess> running, IReadOnlyDictionary<string, int>? layers = null)
    {
        ArgumentNullException.ThrowIfNull(running);
        Write(path, running.Select(r => (r.Node, (int?)r.Pid)), layers);
    }

    public static void Write(string path, IEnumerable<(TestnetNode Node, int? Pid)> nodes, IReadOnlyDictionary<string, int>? layers = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach ((TestnetNode node, int? pid) in nodes)
            {
                json.WriteStartObject();
                json.WriteString("name", node.Name);
                json.WriteString("role", node.RoleName);
                if ((layers is not null && layers.TryGetValue(node.Name, out int assigned) ? assigned : node.Layer) is { } layer)
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

                json.WriteString("metrics_url", node.MetricsUrl.AbsoluteUri);
                if (pid is { } id)
                {
                    json.WriteNumber("pid", id);
                }
                else
                {
                    json.WriteNull("pid");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        buffer.WriteByte((byte)'\n');
        KeyFile.WriteAtomically(path, buffer.ToArray(), KeyFile.PublicMode);
    }
}
