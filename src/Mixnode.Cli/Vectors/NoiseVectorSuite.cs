using System.Globalization;
using System.Text.Json;
using Mixnode.Noise;

namespace Mixnode.Cli.Vectors;

/// <summary>
/// Standard Noise vector files (cacophony, snow and noise-c layouts): <c>{"vectors": [...]}</c>, each case naming its
/// protocol by <c>protocol_name</c> or <c>name</c> (or <c>pattern</c>/<c>dh</c>/<c>cipher</c>/<c>hash</c>), with
/// <c>init_*</c>/<c>resp_*</c> prologue, static, ephemeral and remote static keys, and <c>messages</c> that alternate
/// initiator/responder (one-way patterns: initiator only) through the handshake and on into transport. Each message's
/// ciphertext must match and decrypt to its payload; an optional <c>handshake_hash</c> must match. A case marked
/// <c>"fail": true</c> passes when it fails. What this library does not implement (448, BLAKE2s, fallback, hfs)
/// is skipped, with the reason.
/// Pre-shared keys (psk modifiers) come from <c>init_psks</c>/<c>resp_psks</c> (or one <c>init_psk</c>/<c>resp_psk</c>).
/// </summary>
internal sealed class NoiseVectorSuite : VectorSuite
{
    private const int KeySize = 32;

    public override string Name => "noise";

    public override IReadOnlyList<VectorCase> ReadCases(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new VectorFormatException($"a Noise vector file is an object with a 'vectors' array, found {VectorJson.Describe(root.ValueKind)}");
        }

        JsonElement vectors = VectorJson.Array(root, "vectors");
        return vectors.EnumerateArray().Select((c, i) => new VectorCase(CaseName(c, i), () => Run(c))).ToList();
    }

    private static string CaseName(JsonElement c, int index)
    {
        string? name = null;
        if (c.ValueKind == JsonValueKind.Object)
        {
            foreach (string field in new[] { "protocol_name", "name" })
            {
                if (c.TryGetProperty(field, out JsonElement value) && value.ValueKind == JsonValueKind.String)
                {
                    name = value.GetString();
                    break;
                }
            }
        }

        return name is null
            ? string.Create(CultureInfo.InvariantCulture, $"case #{index}")
            : string.Create(CultureInfo.InvariantCulture, $"{name} #{index}");
    }

    private static VectorResult Run(JsonElement c)
    {
        (string field, string name) = ProtocolName(c);
        if (Flag(c, "fallback") || VectorJson.HasField(c, "fallback_pattern"))
        {
            return VectorResult.Skip("fallback (Noise Pipes) is not implemented");
        }

        if (VectorJson.HasField(c, "hybrid") || VectorJson.HasField(c, "init_hybrid_ephemeral"))
        {
            return VectorResult.Skip("hybrid forward secrecy (hfs) is not implemented");
        }

        if (!NoiseProtocol.TryParse(name, out NoiseProtocol? protocol, out NoiseProtocolError error, out string? reason))
        {
            return error == NoiseProtocolError.Unsupported
                ? VectorResult.Skip(reason)
                : throw new VectorFormatException($"field '{field}': {reason}");
        }

        bool expectFailure = Flag(c, "fail");
        VectorResult result = RunMessages(c, protocol);
        if (!expectFailure)
        {
            return result;
        }

        return result.Outcome == VectorOutcome.Fail
            ? VectorResult.Pass()
            : VectorResult.Fail("the case is marked \"fail\", but every message matched");
    }

    private static VectorResult RunMessages(JsonElement c, NoiseProtocol protocol)
    {
        // Read and check everything first, so a malformed field is reported as such rather than as a mismatch.
        JsonElement messages = VectorJson.Array(c, "messages");
        var payloads = new List<byte[]>();
        var ciphertexts = new List<byte[]>();
        int index = 0;
        foreach (JsonElement m in messages.EnumerateArray())
        {
            string prefix = string.Create(CultureInfo.InvariantCulture, $"messages[{index++}].");
            payloads.Add(HexOf(m, "payload", prefix));
            ciphertexts.Add(HexOf(m, "ciphertext", prefix));
        }

        byte[]? expectedHash = VectorJson.HasField(c, "handshake_hash") ? VectorJson.Hex(c, "handshake_hash") : null;
        using HandshakeState initiator = Create(c, protocol, initiator: true);
        using HandshakeState responder = Create(c, protocol, initiator: false);
        NoiseTransport? initiatorTransport = null;
        NoiseTransport? responderTransport = null;
        try
        {
            var buffer = new byte[HandshakeState.MaxMessageSize + NoiseTransport.TagSize];
            var payload = new byte[HandshakeState.MaxMessageSize];
            for (int i = 0; i < payloads.Count; i++)
            {
                bool fromInitiator = protocol.Pattern.IsOneWay || i % 2 == 0;
                string who = fromInitiator ? "initiator" : "responder";
                string peer = fromInitiator ? "responder" : "initiator";
                string at = string.Create(CultureInfo.InvariantCulture, $"message {i}");
                int written;
                NoiseResult sent;
                NoiseResult received;
                int read;
                if (initiatorTransport is null || responderTransport is null)
                {
                    (HandshakeState writer, HandshakeState reader) = fromInitiator ? (initiator, responder) : (responder, initiator);
                    sent = writer.WriteMessage(payloads[i], buffer, out written);
                    if (sent != NoiseResult.Ok)
                    {
                        return VectorResult.Fail($"{at}: {who} WriteMessage returned {sent}");
                    }

                    VectorResult same = VectorResult.Compare($"{at} ciphertext", ciphertexts[i], buffer.AsSpan(0, written));
                    if (same.Outcome != VectorOutcome.Pass)
                    {
                        return same;
                    }

                    received = reader.ReadMessage(ciphertexts[i], payload, out read);
                }
                else
                {
                    (NoiseTransport writer, NoiseTransport reader) = fromInitiator
                        ? (initiatorTransport, responderTransport)
                        : (responderTransport, initiatorTransport);
                    sent = writer.Encrypt(payloads[i], buffer);
                    if (sent != NoiseResult.Ok)
                    {
                        return VectorResult.Fail($"{at} (transport): {who} Encrypt returned {sent}");
                    }

                    written = payloads[i].Length + NoiseTransport.TagSize;
                    VectorResult same = VectorResult.Compare($"{at} (transport) ciphertext", ciphertexts[i], buffer.AsSpan(0, written));
                    if (same.Outcome != VectorOutcome.Pass)
                    {
                        return same;
                    }

                    received = reader.Decrypt(ciphertexts[i], payload);
                    read = ciphertexts[i].Length - NoiseTransport.TagSize;
                }

                if (received != NoiseResult.Ok)
                {
                    return VectorResult.Fail($"{at}: {peer} could not read it: {received}");
                }

                VectorResult payloadMatches = VectorResult.Compare($"{at} payload", payloads[i], payload.AsSpan(0, read));
                if (payloadMatches.Outcome != VectorOutcome.Pass)
                {
                    return payloadMatches;
                }

                if (initiatorTransport is null && initiator.IsHandshakeComplete && responder.IsHandshakeComplete)
                {
                    if (!initiator.HandshakeHash.SequenceEqual(responder.HandshakeHash))
                    {
                        return VectorResult.Fail("the two sides' handshake hashes differ");
                    }

                    if (expectedHash is not null)
                    {
                        VectorResult hash = VectorResult.Compare("handshake_hash", expectedHash, initiator.HandshakeHash);
                        if (hash.Outcome != VectorOutcome.Pass)
                        {
                            return hash;
                        }
                    }

                    initiatorTransport = initiator.Split();
                    responderTransport = responder.Split();
                }
            }

            return VectorResult.Pass();
        }
        finally
        {
            initiatorTransport?.Dispose();
            responderTransport?.Dispose();
        }
    }

    private static HandshakeState Create(JsonElement c, NoiseProtocol protocol, bool initiator)
    {
        string side = initiator ? "init_" : "resp_";
        HandshakePattern pattern = protocol.Pattern;
        byte[] prologue = VectorJson.HasField(c, side + "prologue") ? VectorJson.Hex(c, side + "prologue") : [];
        byte[] localStatic = pattern.UsesLocalStatic(initiator) ? Key(c, side + "static") : [];
        bool sendsEphemeral = initiator || !pattern.IsOneWay;
        byte[] ephemeral = sendsEphemeral ? Key(c, side + "ephemeral") : [];
        bool remotePre = initiator ? pattern.ResponderStaticIsPreMessage : pattern.InitiatorStaticIsPreMessage;
        byte[] remoteStatic = remotePre ? Key(c, side + "remote_static") : [];
        byte[] psks = Psks(c, initiator ? "init" : "resp", pattern.PskCount);
        return new HandshakeState(protocol, initiator, prologue, null, localStatic, remoteStatic, ephemeral, psks);
    }

    private static (string Field, string Name) ProtocolName(JsonElement c)
    {
        if (c.ValueKind != JsonValueKind.Object)
        {
            throw new VectorFormatException($"expected a case object, found {VectorJson.Describe(c.ValueKind)}");
        }

        foreach (string field in new[] { "protocol_name", "name" })
        {
            if (VectorJson.HasField(c, field))
            {
                return (field, VectorJson.String(c, field));
            }
        }

        if (VectorJson.HasField(c, "pattern"))
        {
            string name = string.Join('_', "Noise", VectorJson.String(c, "pattern"), VectorJson.String(c, "dh"),
                VectorJson.String(c, "cipher"), VectorJson.String(c, "hash"));
            return ("pattern", name);
        }

        throw new VectorFormatException("field 'protocol_name' is missing (nor 'name', nor 'pattern'/'dh'/'cipher'/'hash')");
    }

    private static bool Flag(JsonElement c, string name) =>
        c.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;

    /// <summary>
    /// init_psks / resp_psks (an array of keys) or init_psk / resp_psk (one key), concatenated in order; exactly
    /// <paramref name="count"/> keys (the pattern's psk modifiers), else the case is malformed.
    /// </summary>
    private static byte[] Psks(JsonElement c, string side, int count)
    {
        var keys = new List<byte[]>();
        if (c.TryGetProperty(side + "_psks", out JsonElement psks) && psks.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (JsonElement psk in psks.EnumerateArray())
            {
                string field = string.Create(CultureInfo.InvariantCulture, $"{side}_psks[{index++}]");
                byte[] key = psk.ValueKind == JsonValueKind.String && psk.GetString() is string hex && hex.Length == 2 * KeySize && hex.All(char.IsAsciiHexDigit)
                    ? Convert.FromHexString(hex)
                    : throw new VectorFormatException($"field '{field}': expected {KeySize} bytes of hex");
                keys.Add(key);
            }
        }
        else if (VectorJson.HasField(c, side + "_psk"))
        {
            keys.Add(Key(c, side + "_psk"));
        }

        return keys.Count == count
            ? keys.SelectMany(k => k).ToArray()
            : throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field '{side}_psks': the protocol uses {count} pre-shared key(s), the case gives {keys.Count}"));
    }

    private static byte[] Key(JsonElement c, string name)
    {
        byte[] key = VectorJson.Hex(c, name);
        return key.Length == KeySize
            ? key
            : throw new VectorFormatException(string.Create(CultureInfo.InvariantCulture, $"field '{name}': expected {KeySize} bytes, got {key.Length}"));
    }

    private static byte[] HexOf(JsonElement m, string name, string prefix)
    {
        if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty(name, out JsonElement value))
        {
            throw new VectorFormatException($"field '{prefix}{name}' is missing");
        }

        return value.ValueKind == JsonValueKind.String
            ? VectorJson.ParseHex(value.GetString()!, prefix + name)
            : throw new VectorFormatException($"field '{prefix}{name}': expected a hex string, found {VectorJson.Describe(value.ValueKind)}");
    }
}
