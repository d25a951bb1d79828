using System.Text;
using NSec.Cryptography;
using Mixnode.Authority.Protocol;
using Mixnode.Links;
using Mixnode.Links.Wire;
using Mixnode.Noise;
using Mixnode.Pki;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Commands;

namespace Mixnode.Fuzz;

/// <summary>
/// Small valid inputs per target, made with the repo's own code and the harness's fixed keys (so they still open
/// under the harness). Written once into <c>tests/fuzz/corpus</c> and committed; re-run after a format change.
/// </summary>
public static class SeedCorpus
{
    public static IReadOnlyDictionary<string, IReadOnlyList<byte[]>> Make() => new Dictionary<string, IReadOnlyList<byte[]>>
    {
        ["sphinx"] = SphinxSeeds(),
        ["commands"] = CommandSeeds(),
        ["wire"] = WireSeeds(),
        ["noise"] = NoiseSeeds(),
        ["pki"] = PkiSeeds(),
        ["authority"] = AuthoritySeeds(),
        ["config"] = [File.Exists(ConfigExample) ? File.ReadAllBytes(ConfigExample) : Encoding.UTF8.GetBytes(MinimalConfig)],
        ["handshake"] = HandshakeSeeds(),
        ["transport"] = TransportSeeds(),
        ["client"] = ClientSeeds(),
        ["batch"] = BatchSeeds(),
        ["keyfiles"] = KeyFileSeeds(),
        ["authorityhttp"] = AuthorityHttpSeeds(),
    };

    /// <summary>The shipped example settings, relative to the repository root (where <c>run.sh</c> runs the seeds command).</summary>
    private const string ConfigExample = "config/appsettings.json";

    private const string MinimalConfig = """{ "Mixnode": { "Name": "mix-0", "ListenAddress": "127.0.0.1:30001", "Geometry": "vectors" } }""";

    /// <summary>Writes the seeds of <paramref name="targets"/> (every target when none is named) into DIRECTORY/TARGET/seed-N.</summary>
    public static void Write(string directory, IReadOnlyCollection<string>? targets = null)
    {
        foreach ((string target, IReadOnlyList<byte[]> seeds) in Make())
        {
            if (targets is { Count: > 0 } && !targets.Contains(target))
            {
                continue;
            }

            string folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            for (int i = 0; i < seeds.Count; i++)
            {
                File.WriteAllBytes(Path.Combine(folder, $"seed-{i}"), seeds[i]);
            }
        }
    }

    private static byte[] Id(byte label) => Enumerable.Repeat(label, SphinxGeometry.NodeIdLength).ToArray();

    private static List<byte[]> SphinxSeeds()
    {
        SphinxGeometry geometry = SphinxUnwrapTarget.Geometry;
        byte[] other = X25519Public(9);
        byte[] message = new byte[geometry.ForwardPayloadLength];
        Encoding.ASCII.GetBytes("fuzz seed").CopyTo(message, 0);

        // A packet this node forwards (first of three hops), and one it delivers (last and only hop).
        PathHop[] forward =
        [
            new(Id(1), FuzzKeys.MixKey.PublicKey, RoutingCommands.Delay(50)),
            new(Id(2), other, RoutingCommands.Delay(20)),
            new(Id(3), other, RoutingCommands.ToRecipient(Id(4))),
        ];
        PathHop[] deliver = [new(Id(1), FuzzKeys.MixKey.PublicKey, RoutingCommands.ToRecipient(Id(4)))];
        PathHop[] reply = [new(Id(1), FuzzKeys.MixKey.PublicKey, RoutingCommands.ToRecipient(Id(4)).WithSurbReply(new byte[SphinxGeometry.SurbIdLength]))];

        var seeds = new List<byte[]>();
        foreach ((PathHop[] path, int mode) in new[] { (forward, 0), (forward, SphinxUnwrapTarget.FixMac), (deliver, SphinxUnwrapTarget.FixMac), (reply, SphinxUnwrapTarget.FixMac | SphinxUnwrapTarget.FitLength) })
        {
            byte[] seed = new byte[1 + geometry.PacketLength];
            seed[0] = (byte)mode;
            SphinxPacketBuilder.CreatePacket(geometry, path, message, seed.AsSpan(1));
            seeds.Add(seed);
        }

        return seeds;
    }

    private static byte[] X25519Public(byte label)
    {
        // Hashed, not a small number: clamping clears the low three bits, so small labels would collide.
        byte[] scalar = System.Security.Cryptography.SHA256.HashData([(byte)'s', (byte)'e', (byte)'e', (byte)'d', label]);
        using var key = new Sphinx.Crypto.X25519PrivateKey(scalar);
        return key.PublicKey.ToArray();
    }

    private static List<byte[]> CommandSeeds()
    {
        RoutingCommands[] all =
        [
            RoutingCommands.Delay(1234).WithNextNodeHop(Id(1), Id(2)),
            RoutingCommands.ToRecipient(Id(3)).WithSurbReply(new byte[SphinxGeometry.SurbIdLength]),
            RoutingCommands.ToRecipient(Id(3)),
        ];
        var seeds = new List<byte[]>();
        foreach (RoutingCommands commands in all)
        {
            byte[] block = new byte[SphinxGeometry.PerHopRoutingInfoLength];
            RoutingCommandCodec.TryEncode(commands, block);
            seeds.Add(block);
        }

        return seeds;
    }

    private static List<byte[]> WireSeeds()
    {
        WireFraming framing = WireFrameTarget.Framing;
        byte[] packet = new byte[framing.PacketLength];
        packet[0] = 0;
        packet[2] = 7;
        var seeds = new List<byte[]>
        {
            Encode(WireCommand.NoOp()),
            Encode(WireCommand.Disconnect()),
            Encode(WireCommand.SendPacket(packet)),
            Encode(WireCommand.RetrieveMessage(5)),
            Encode(WireCommand.GetConsensus(42)),
            Encode(WireCommand.MessageEmpty(9)),
            Encode(WireCommand.Consensus(0, "{}"u8)),
        };
        if (framing.MessagePayloadLength > 0)
        {
            seeds.Add(Encode(WireCommand.Message(3, 7, new byte[framing.MessagePayloadLength])));
        }

        return seeds;
    }

    private static byte[] Encode(WireCommand command)
    {
        byte[] buffer = new byte[WireCodec.EncodedLength(command)];
        WireCodec.TryEncode(command, buffer, out int written);
        return buffer[..written];
    }

    private static List<byte[]> NoiseSeeds()
    {
        byte[] first = new byte[HandshakeState.MaxMessageSize];
        byte[] second = new byte[HandshakeState.MaxMessageSize];
        byte[] payload = new byte[HandshakeState.MaxMessageSize];
        using HandshakeState initiator = NoiseHandshakeTarget.Initiator();
        using HandshakeState responder = NoiseHandshakeTarget.Responder();
        initiator.WriteMessage([], first, out int firstLength);
        responder.ReadMessage(first.AsSpan(0, firstLength), payload, out _);
        responder.WriteMessage([], second, out int secondLength);
        return [[0, .. first.AsSpan(0, firstLength)], [1, .. second.AsSpan(0, secondLength)]];
    }

    private static (NetworkDocument Document, SignedDescriptor Upload) DocumentAndUpload()
    {
        Key identity = FuzzKeys.NodeIdentity;
        Bytes32 identityPublic = Bytes32.From(identity.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        var keys = new Dictionary<long, Bytes32> { [100] = Bytes32.From(X25519Public(10)), [101] = Bytes32.From(X25519Public(11)) };
        var provider = new NodeDescriptor("provider-0", identityPublic, Bytes32.From(X25519Public(12)), ["127.0.0.1:30001"], NodeRole.Provider, NodeDescriptor.NoLayer, keys);
        var mix = new NodeDescriptor("mix-0-0", Bytes32.From(X25519Public(13)), Bytes32.From(X25519Public(14)), ["127.0.0.1:30002"], NodeRole.Mix, 0, keys);
        NetworkDocument document = NetworkDocument.Create([provider, mix], SphinxUnwrapTarget.Geometry, new MixingParameters(MixingParameters.DefaultMeanDelayMs, MixingParameters.DefaultLoopRatePerSecond), TimeSpan.FromMinutes(20), 100);
        return (document, SignedDescriptor.Create(provider, 100, identity));
    }

    private static List<byte[]> PkiSeeds()
    {
        (NetworkDocument document, SignedDescriptor upload) = DocumentAndUpload();
        byte[] documentPayload = SignedNetworkDocument.Payload(document);
        return
        [
            [PkiDocumentTarget.SignedDocument, .. SignedNetworkDocument.Sign(document, FuzzKeys.Authority)],
            [PkiDocumentTarget.DocumentPayload, .. documentPayload],
            [PkiDocumentTarget.SignedUpload, .. upload.Envelope.Raw.Span],
            [PkiDocumentTarget.UploadPayload, .. upload.Envelope.Payload.Span],
        ];
    }

    private static List<byte[]> AuthoritySeeds()
    {
        (NetworkDocument document, SignedDescriptor upload) = DocumentAndUpload();
        var parameters = new NetworkParameters(document.EpochPeriod, 1, document.Geometry, document.Mixing);
        Bytes32 value = Bytes32.From(System.Security.Cryptography.SHA256.HashData("reveal"u8));
        Vote vote = Vote.Create(100, FuzzKeys.Authority, DateTimeOffset.FromUnixTimeSeconds(1_800_000_000), Reveal.Commit(value), parameters, [upload]);
        Reveal reveal = Reveal.Create(100, FuzzKeys.Authority, value, [vote.Envelope.Raw]);
        Certificate certificate = Certificate.Create(100, FuzzKeys.Authority, SignedNetworkDocument.Payload(document));
        var seeds = new List<byte[]>();
        foreach ((int kind, SignedEnvelope envelope) in new[] { (AuthorityMessagesTarget.VoteMode, vote.Envelope), (AuthorityMessagesTarget.RevealMode, reveal.Envelope), (AuthorityMessagesTarget.CertificateMode, certificate.Envelope) })
        {
            seeds.Add([(byte)kind, .. envelope.Raw.Span]);
            seeds.Add([(byte)(kind + 1), .. envelope.Payload.Span]);
        }

        return seeds;
    }

    private static byte[] Prefixed(ReadOnlySpan<byte> message) => [(byte)(message.Length >> 8), (byte)message.Length, .. message];

    private static List<byte[]> HandshakeSeeds()
    {
        using HandshakeState initiator = NoiseHandshakeTarget.Initiator();
        using HandshakeState responder = NoiseHandshakeTarget.Responder();
        byte[] buffer = new byte[HandshakeState.MaxMessageSize];
        initiator.WriteMessage([], buffer, out int length);
        byte[] first = buffer[..length];
        responder.ReadMessage(first, [], out _);
        responder.WriteMessage([], buffer, out length);
        byte[] second = buffer[..length];
        initiator.ReadMessage(second, [], out _);
        initiator.WriteMessage([], buffer, out length);
        byte[] third = buffer[..length];
        byte[] toResponder = [.. Prefixed(first), .. Prefixed(third)];
        byte[] toInitiator = Prefixed(second);
        return
        [
            [0x00, 0x00, .. toResponder],
            [0x05, 0xc8, .. toResponder],
            [HandshakeReaderTarget.InitiatorMode | 0x7f, 0xff, .. toInitiator],
            [HandshakeReaderTarget.InitiatorMode | 0x03, 0x10, .. toInitiator],
        ];
    }

    private static List<byte[]> TransportSeeds()
    {
        byte[] packet = new byte[SphinxUnwrapTarget.Geometry.PacketLength];
        packet[2] = 7;
        byte[][] mixCommands = [Encode(WireCommand.NoOp()), Encode(WireCommand.SendPacket(packet)), Encode(WireCommand.NoOp())];
        WireFraming client = TransportFrameTarget.Framing(TransportFrameTarget.ClientFraming);
        byte[] message = new byte[client.MessagePayloadLength];
        message[0] = 1;
        byte[][] clientCommands = [Encode(WireCommand.RetrieveMessage(3)), Encode(WireCommand.SendPacket(packet)), Encode(WireCommand.Message(1, 3, message)), Encode(WireCommand.Disconnect())];
        return
        [
            Transport(TransportFrameTarget.Seal | (1 << 4), mixCommands),
            Transport(TransportFrameTarget.Seal | TransportFrameTarget.ClientFraming | TransportFrameTarget.ResponderReceives, clientCommands),
            Transport(1 << 4, mixCommands),
            Transport(TransportFrameTarget.ClientFraming | TransportFrameTarget.ResponderReceives | (2 << 4), clientCommands[..2]),
        ];
    }

    /// <summary>A transport seed of <paramref name="mode"/>: the encoded commands as frames in plaintext, or as the peer encrypts them (rekeying as the mode says).</summary>
    private static byte[] Transport(int mode, byte[][] commands)
    {
        WireFraming framing = TransportFrameTarget.Framing(mode);
        long rekey = TransportFrameTarget.RekeyInterval(mode);
        (NoiseTransport initiator, NoiseTransport responder) = TransportFrameTarget.Transports();
        using (initiator)
        using (responder)
        {
            NoiseTransport sender = (mode & TransportFrameTarget.ResponderReceives) != 0 ? initiator : responder;
            var seed = new List<byte> { (byte)mode };
            for (int i = 0; i < commands.Length; i++)
            {
                byte[] plain = new byte[framing.CommandSize];
                commands[i].CopyTo(plain, 0);
                if ((mode & TransportFrameTarget.Seal) != 0)
                {
                    seed.AddRange(plain);
                    continue;
                }

                byte[] cipher = new byte[LinkProtocol.TransportFrameLength(framing)];
                sender.Encrypt(plain, cipher);
                seed.AddRange(cipher);
                if ((i + 1) % rekey == 0)
                {
                    sender.RekeySend();
                }
            }

            return [.. seed];
        }
    }

    private static List<byte[]> ClientSeeds()
    {
        byte[] packet = new byte[ClientCommandsTarget.Framing.PacketLength];
        packet[0] = 0;
        packet[2] = 9;
        byte[] Command(WireCommand command) => [ClientCommandsTarget.Command, .. Prefixed(Encode(command))];
        byte arriveSurbReply = ClientCommandsTarget.Arrive + (2 * 5);
        return
        [
            [
                ClientCommandsTarget.Arrive, arriveSurbReply, ClientCommandsTarget.ArriveForOther,
                .. Command(WireCommand.RetrieveMessage(0)), .. Command(WireCommand.RetrieveMessage(1)), .. Command(WireCommand.RetrieveMessage(2)),
                ClientCommandsTarget.Clock, 5, .. Command(WireCommand.SendPacket(packet)), .. Command(WireCommand.RetrieveMessage(3)),
                ClientCommandsTarget.Arrive,
            ],
            [
                .. Command(WireCommand.RetrieveMessage(0)), ClientCommandsTarget.Arrive, ClientCommandsTarget.Arrive, .. Command(WireCommand.NoOp()),
                .. Command(WireCommand.RetrieveMessage(1)), ClientCommandsTarget.Drop, ClientCommandsTarget.Arrive,
            ],
        ];
    }

    private static List<byte[]> BatchSeeds()
    {
        byte[][] packets = [.. SphinxSeeds().Select(s => s[1..])];
        byte[] lowOrder = packets[0].ToArray();
        lowOrder.AsSpan(SphinxGeometry.VersionLength, SphinxGeometry.GroupElementLength).Clear();
        byte[] garbage = [.. Enumerable.Range(0, packets[0].Length).Select(i => (byte)(i * 31))];
        byte[] eight = [.. packets[0], .. packets[1], .. packets[2], .. packets[3], .. lowOrder, .. garbage, .. packets[0], .. packets[2]];
        return
        [
            [7, 0x00, .. eight],
            [7, 0xff, .. eight],
            [1, 0x00, .. packets[0]],
            [BatchUnwrapTarget.OddLastLength | 2, 0x02, .. packets[1], .. packets[2], .. packets[3].AsSpan(0, 100)],
        ];
    }

    private static List<byte[]> KeyFileSeeds()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"mixnode-fuzz-seeds-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        try
        {
            var seeds = new List<byte[]>();
            for (int kind = 0; kind < KeyFilesTarget.Kinds.Count; kind++)
            {
                (KeyType type, bool isPrivate) = KeyFilesTarget.Kinds[kind];
                string path = Path.Combine(directory, $"{kind}.key");
                byte[] key = System.Security.Cryptography.SHA256.HashData([(byte)'k', (byte)kind]);
                if (isPrivate)
                {
                    KeyFile.WritePrivate(path, type, key);
                }
                else
                {
                    KeyFile.WritePublic(path, type, key);
                }

                seeds.Add([(byte)kind, .. File.ReadAllBytes(path)]);
            }

            seeds.Add([KeyFilesTarget.AuthoritiesMode, .. AuthorityHttpTarget.Authorities.ToUtf8Json()]);
            string noThreshold = $$"""{"authorities": [{"name": "auth-0", "address": "[::1]:31000", "public_key": "{{Convert.ToBase64String(X25519Public(20))}}"}]}""";
            seeds.Add([KeyFilesTarget.AuthoritiesMode, .. Encoding.UTF8.GetBytes(noThreshold)]);
            return seeds;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<byte[]> AuthorityHttpSeeds()
    {
        Key identity = FuzzKeys.NodeIdentity;
        var keys = new Dictionary<long, Bytes32>
        {
            [AuthorityHttpTarget.Epoch] = Bytes32.From(X25519Public(30)),
            [AuthorityHttpTarget.Epoch + 1] = Bytes32.From(X25519Public(31)),
            [AuthorityHttpTarget.Epoch + 2] = Bytes32.From(X25519Public(32)),
        };
        var provider = new NodeDescriptor("provider-0", Bytes32.From(identity.PublicKey.Export(KeyBlobFormat.RawPublicKey)), Bytes32.From(X25519Public(12)), ["127.0.0.1:30001"], NodeRole.Provider, NodeDescriptor.NoLayer, keys);
        SignedDescriptor upload = SignedDescriptor.Create(provider, AuthorityHttpTarget.Epoch, identity);
        Bytes32 value = Bytes32.From(System.Security.Cryptography.SHA256.HashData("reveal"u8));
        Vote vote = Vote.Create(AuthorityHttpTarget.Epoch, FuzzKeys.PeerAuthority, AuthorityHttpTarget.Now, Reveal.Commit(value), AuthorityHttpTarget.Parameters, [upload]);
        Reveal reveal = Reveal.Create(AuthorityHttpTarget.Epoch, FuzzKeys.PeerAuthority, value, [vote.Envelope.Raw]);
        var mix = new NodeDescriptor("mix-0-0", AuthorityHttpTarget.MixIdentity, Bytes32.From(X25519Public(14)), ["127.0.0.1:30002"], NodeRole.Mix, 0, keys);
        NetworkDocument document = NetworkDocument.Create([provider, mix], SphinxUnwrapTarget.Geometry, AuthorityHttpTarget.Parameters.Mixing, AuthorityHttpTarget.Parameters.EpochPeriod, AuthorityHttpTarget.Epoch);
        Certificate certificate = Certificate.Create(AuthorityHttpTarget.Epoch, FuzzKeys.PeerAuthority, SignedNetworkDocument.Payload(document));
        var seeds = new List<byte[]>();
        foreach ((int mode, SignedEnvelope envelope) in new[] { (0, upload.Envelope), (2, vote.Envelope), (4, reveal.Envelope), (6, certificate.Envelope) })
        {
            seeds.Add([(byte)mode, .. envelope.Raw.Span]);
            seeds.Add([(byte)(mode + 1), .. envelope.Payload.Span]);
        }

        return seeds;
    }
}
