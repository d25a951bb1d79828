using System.Text.Json;

namespace Mixnode.Noise.Tests;

/// <summary>
/// Every case of snow's and cacophony's 25519/ChaChaPoly vectors (fundamental, deferred and psk patterns), through the
/// library directly (fixed ephemerals).
/// </summary>
public sealed class SnowVectorTests
{
    private static readonly Dictionary<string, JsonElement> s_files = new[] { VectorFiles.Snow, VectorFiles.SnowDeferredPsk, VectorFiles.CacophonyPsk }
        .ToDictionary(f => f, f => JsonDocument.Parse(VectorFiles.Read(f)).RootElement.GetProperty("vectors"));

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach ((string file, JsonElement vectors) in s_files)
        {
            int i = 0;
            foreach (JsonElement v in vectors.EnumerateArray())
            {
                data.Add(file, i++, v.GetProperty("protocol_name").GetString()!);
            }
        }

        return data;
    }

    [Fact]
    public void The_files_cover_every_pattern_with_both_hashes_and_psk0_to_psk3()
    {
        string[] names = s_files.Values.SelectMany(v => v.EnumerateArray()).Select(v => v.GetProperty("protocol_name").GetString()!).ToArray();
        Assert.Equal(30, s_files[VectorFiles.Snow].GetArrayLength());
        Assert.All(HandshakePattern.All, p => Assert.Contains($"Noise_{p.Name}_25519_ChaChaPoly_BLAKE2b", names));
        Assert.All(HandshakePattern.All, p => Assert.Contains($"Noise_{p.Name}_25519_ChaChaPoly_SHA256", names));
        Assert.All(new[] { "Npsk0", "Xpsk1", "NNpsk0", "NNpsk2", "XXpsk3", "XXpsk0+psk1+psk2+psk3" },
            p => Assert.Contains($"Noise_{p}_25519_ChaChaPoly_SHA256", names));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_reproduces_every_message(string file, int index, string name)
    {
        JsonElement v = s_files[file][index];
        Assert.True(NoiseProtocol.TryParse(name, out NoiseProtocol? protocol));
        using HandshakeState initiator = Create(protocol, v, "init_", true);
        using HandshakeState responder = Create(protocol, v, "resp_", false);

        NoiseTransport? initiatorTransport = null;
        NoiseTransport? responderTransport = null;
        var buffer = new byte[HandshakeState.MaxMessageSize];
        var payload = new byte[HandshakeState.MaxMessageSize];
        int i = 0;
        foreach (JsonElement m in v.GetProperty("messages").EnumerateArray())
        {
            byte[] expectedPayload = Hex(m, "payload");
            byte[] expectedCiphertext = Hex(m, "ciphertext");
            bool initiatorSends = protocol.Pattern.IsOneWay || i % 2 == 0;
            if (initiatorTransport is null)
            {
                (HandshakeState writer, HandshakeState reader) = initiatorSends ? (initiator, responder) : (responder, initiator);
                Assert.Equal(NoiseResult.Ok, writer.WriteMessage(expectedPayload, buffer, out int written));
                Assert.Equal(Convert.ToHexString(expectedCiphertext), Convert.ToHexString(buffer, 0, written));
                Assert.Equal(NoiseResult.Ok, reader.ReadMessage(expectedCiphertext, payload, out int read));
                Assert.Equal(expectedPayload, payload[..read]);
                if (initiator.IsHandshakeComplete && responder.IsHandshakeComplete)
                {
                    Assert.Equal(initiator.HandshakeHash.ToArray(), responder.HandshakeHash.ToArray());
                    Assert.Equal(initiator.HandshakeHash.Length, protocol.Hash == NoiseHashFunction.Sha256 ? 32 : 64);
                    initiatorTransport = initiator.Split();
                    responderTransport = responder.Split();
                }
            }
            else
            {
                (NoiseTransport writer, NoiseTransport reader) = initiatorSends ? (initiatorTransport, responderTransport!) : (responderTransport!, initiatorTransport);
                Assert.Equal(NoiseResult.Ok, writer.Encrypt(expectedPayload, buffer));
                Assert.Equal(Convert.ToHexString(expectedCiphertext), Convert.ToHexString(buffer, 0, expectedPayload.Length + NoiseTransport.TagSize));
                Assert.Equal(NoiseResult.Ok, reader.Decrypt(expectedCiphertext, payload));
                Assert.Equal(expectedPayload, payload[..(expectedCiphertext.Length - NoiseTransport.TagSize)]);
            }

            i++;
        }

        Assert.NotNull(initiatorTransport);
        initiatorTransport.Dispose();
        responderTransport!.Dispose();
    }

    private static HandshakeState Create(NoiseProtocol protocol, JsonElement v, string prefix, bool initiator)
    {
        byte[] prologue = Hex(v, prefix + "prologue");
        byte[] localStatic = v.TryGetProperty(prefix + "static", out _) ? Hex(v, prefix + "static") : [];
        byte[] ephemeral = v.TryGetProperty(prefix + "ephemeral", out _) ? Hex(v, prefix + "ephemeral") : [];
        bool remotePre = initiator ? protocol.Pattern.ResponderStaticIsPreMessage : protocol.Pattern.InitiatorStaticIsPreMessage;
        byte[] remoteStatic = remotePre ? Hex(v, prefix + "remote_static") : [];
        byte[] psks = v.TryGetProperty(prefix + "psks", out JsonElement list)
            ? list.EnumerateArray().SelectMany(k => Convert.FromHexString(k.GetString()!)).ToArray()
            : [];
        return new HandshakeState(protocol, initiator, prologue, null, localStatic, remoteStatic, ephemeral, psks);
    }

    private static byte[] Hex(JsonElement e, string name) => Convert.FromHexString(e.GetProperty(name).GetString()!);
}
