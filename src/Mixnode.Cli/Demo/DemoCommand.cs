using System.CommandLine;
using System.Globalization;
using System.Text;
using Mixnode.Cli.Bench;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Demo;

/// <summary>
/// <c>mixnode demo</c>: builds a packet for a 5-hop route, unwraps it hop by hop showing what each hop
/// learns (and does not), sends a reply back through a SURB, then measures unwrap speed.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var seconds = new Option<double>("--bench-seconds")
        {
            Description = "Seconds per measurement of the closing benchmark (0 skips it).",
            DefaultValueFactory = _ => 1,
        };
        var command = new Command("demo", "Show a Sphinx packet crossing 5 hops, a SURB reply, and this machine's unwrap speed.") { seconds };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            int status = Run(output);
            double s = parse.GetValue(seconds);
            if (status == 0 && s > 0)
            {
                output.WriteLine();
                output.WriteLine("Unwrap speed on this machine (mixnode bench):");
                BenchCommand.Measure(TimeSpan.FromSeconds(s), output);
            }

            return status;
        });
        return command;
    }

    public static int Run(TextWriter output)
    {
        SphinxGeometry geometry = SphinxGeometry.Default;
        output.WriteLine(geometry.ToString());
        DemoNode[] nodes = [.. Enumerable.Range(0, geometry.NrHops).Select(i => new DemoNode(i == geometry.NrHops - 1 ? "provider" : $"mix-{i + 1}"))];
        try
        {
            byte[] recipient = RandomId();
            PathHop[] path = new PathHop[nodes.Length];
            for (int i = 0; i < nodes.Length; i++)
            {
                RoutingCommands commands = i == nodes.Length - 1 ? RoutingCommands.ToRecipient(recipient) : RoutingCommands.Delay((uint)(20 * (i + 1)));
                path[i] = new PathHop(nodes[i].Id, nodes[i].Key.PublicKey, commands);
            }

            byte[] message = new byte[geometry.ForwardPayloadLength];
            Encoding.UTF8.GetBytes("Hello through five mixes. No single hop knows both ends.").CopyTo(message, 0);
            byte[] packet = new byte[geometry.PacketLength];
            SphinxPacketBuilder.CreatePacket(geometry, path, message, packet);
            output.WriteLine($"Client built a {packet.Length}-byte packet for the route {string.Join(" → ", nodes.Select(n => n.Name))} and sends it to {nodes[0].Name}.");
            output.WriteLine();

            if (!Forward(geometry, nodes, packet, output, out Span<byte> delivered))
            {
                return 1;
            }

            string text = Encoding.UTF8.GetString(delivered).TrimEnd('\0');
            output.WriteLine($"  message: \"{text}\"");
            output.WriteLine();
            return Reply(geometry, nodes, output);
        }
        finally
        {
            foreach (DemoNode node in nodes)
            {
                node.Dispose();
            }
        }
    }

    private static bool Forward(SphinxGeometry geometry, DemoNode[] nodes, byte[] packet, TextWriter output, out Span<byte> delivered)
    {
        delivered = default;
        DemoNode current = nodes[0];
        for (int hop = 0; hop < nodes.Length; hop++)
        {
            UnwrapResult result = SphinxUnwrapper.Unwrap(geometry, current.Key, packet, out UnwrappedPacket unwrapped);
            if (result != UnwrapResult.Success)
            {
                output.WriteLine($"{current.Name}: unwrap failed: {result}");
                return false;
            }

            RoutingCommands commands = unwrapped.Commands;
            string learns = unwrapped.Kind switch
            {
                UnwrappedKind.Forward => $"hold {commands.NodeDelayMs} ms, then forward to {NameOf(nodes, commands.NextNodeId)}",
                UnwrappedKind.Deliver => $"I am the last hop: deliver {unwrapped.PayloadLength} bytes to mailbox {commands.RecipientId.ToString()[..16]}…",
                _ => "reply for a SURB",
            };
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hop {hop + 1} {current.Name,-9} learns: {learns}"));
            output.WriteLine($"                  replay tag {unwrapped.ReplayTag.ToString()[..16]}…; it never sees the sender, the other hops or the message");
            if (unwrapped.Kind != UnwrappedKind.Forward)
            {
                delivered = unwrapped.Payload(packet);
                return true;
            }

            current = nodes.First(n => n.Id.AsSpan().SequenceEqual(commands.NextNodeId.AsReadOnlySpan()));
        }

        output.WriteLine("the packet never reached a last hop");
        return false;
    }

    private static int Reply(SphinxGeometry geometry, DemoNode[] nodes, TextWriter output)
    {
        // The recipient answers through a SURB the sender made for the reverse route, without learning it.
        DemoNode[] back = [.. nodes.Reverse()];
        byte[] senderMailbox = RandomId();
        byte[] surbId = new byte[SphinxGeometry.SurbIdLength];
        Random.Shared.NextBytes(surbId);
        PathHop[] path = new PathHop[back.Length];
        for (int i = 0; i < back.Length; i++)
        {
            RoutingCommands commands = i == back.Length - 1
                ? RoutingCommands.ToRecipient(senderMailbox).WithSurbReply(surbId)
                : RoutingCommands.Delay(10);
            path[i] = new PathHop(back[i].Id, back[i].Key.PublicKey, commands);
        }

        byte[] surb = new byte[geometry.SurbLength];
        byte[] surbKeys = new byte[SphinxGeometry.SurbKeysLength(path.Length)];
        SurbBuilder.CreateSurb(geometry, path, surb, surbKeys);

        byte[] replyText = new byte[geometry.ForwardPayloadLength];
        Encoding.UTF8.GetBytes("Reply via a single-use reply block.").CopyTo(replyText, 0);
        byte[] packet = new byte[geometry.PacketLength];
        SurbBuilder.CreateReply(geometry, surb, replyText, packet, out Bytes32 firstHop);
        output.WriteLine($"The recipient replies with a {surb.Length}-byte SURB; the reply enters at {NameOf(nodes, firstHop)}.");

        DemoNode current = back[0];
        for (int hop = 0; hop < back.Length; hop++)
        {
            UnwrapResult result = SphinxUnwrapper.Unwrap(geometry, current.Key, packet, out UnwrappedPacket unwrapped);
            if (result != UnwrapResult.Success)
            {
                output.WriteLine($"{current.Name}: unwrap failed: {result}");
                return 1;
            }

            if (unwrapped.Kind == UnwrappedKind.SurbReply)
            {
                Span<byte> payload = unwrapped.Payload(packet);
                ReplyDecryptResult decrypted = SurbBuilder.TryDecryptReply(geometry, surbKeys, payload);
                output.WriteLine($"{current.Name} hands the reply to the sender's mailbox with SURB id {unwrapped.Commands.SurbId.ToString()[..8]}…; sender decrypts: {decrypted}");
                output.WriteLine($"  reply: \"{Encoding.UTF8.GetString(payload[SphinxGeometry.PayloadTagLength..]).TrimEnd('\0')}\"");
                return decrypted == ReplyDecryptResult.Success ? 0 : 1;
            }

            current = back.First(n => n.Id.AsSpan().SequenceEqual(unwrapped.Commands.NextNodeId.AsReadOnlySpan()));
        }

        output.WriteLine("the reply never reached its last hop");
        return 1;
    }

    private static string NameOf(DemoNode[] nodes, Bytes32 id) =>
        nodes.FirstOrDefault(n => n.Id.AsSpan().SequenceEqual(id.AsReadOnlySpan()))?.Name ?? "an unknown node";

    private static byte[] RandomId()
    {
        byte[] id = new byte[SphinxGeometry.NodeIdLength];
        Random.Shared.NextBytes(id);
        return id;
    }

    private sealed class DemoNode(string name) : IDisposable
    {
        public string Name { get; } = name;

        public byte[] Id { get; } = RandomId();

        public X25519PrivateKey Key { get; } = X25519PrivateKey.Generate();

        public void Dispose() => Key.Dispose();
    }
}
