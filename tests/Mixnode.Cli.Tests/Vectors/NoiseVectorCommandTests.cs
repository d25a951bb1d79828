using System.Text.Json;
using System.Text.Json.Nodes;
using Mixnode.Cli.Vectors;

namespace Mixnode.Cli.Tests.Vectors;

/// <summary><c>mixnode vectors noise</c>: the published snow file, other layouts, unimplemented suites and broken cases.</summary>
public sealed class NoiseVectorCommandTests : IDisposable
{
    private const string Snow = "noise/snow_fundamental_25519_chachapoly.json";

    private readonly string _dir = Directory.CreateTempSubdirectory("mixnode-noise-vectors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_noise_suite_is_registered() =>
        Assert.Contains(VectorsCommand.Suites, s => s.Name == "noise");

    [Fact]
    public void Every_snow_case_passes()
    {
        (int exit, string[] lines) = Run(Path.Combine(AppContext.BaseDirectory, "Vectors", Snow));
        Assert.True(exit == 0, string.Join('\n', lines.Where(l => !l.StartsWith("PASS", StringComparison.Ordinal)).Take(20)));
        Assert.Equal("30 passed, 0 failed, 0 skipped", lines[^1]);
        Assert.Equal("PASS Noise_N_25519_ChaChaPoly_BLAKE2b #0", lines[0]);
    }

    [Fact]
    public void The_noise_c_layout_with_name_or_pattern_fields_runs()
    {
        JsonObject a = SnowCase(16);
        string protocol = (string)a["protocol_name"]!;
        a.Remove("protocol_name");
        a["name"] = protocol;
        JsonObject b = SnowCase(17);
        b.Remove("protocol_name");
        b["pattern"] = "XX";
        b["dh"] = "25519";
        b["cipher"] = "ChaChaPoly";
        b["hash"] = "SHA256";
        (int exit, string[] lines) = Run(WriteVectors(a, b));
        Assert.Equal(0, exit);
        Assert.Equal($"PASS {protocol} #0", lines[0]);
        Assert.Equal("PASS case #1", lines[1]);
        Assert.Equal("2 passed, 0 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public void Unimplemented_suites_are_skipped_with_the_reason_never_failed()
    {
        JsonObject Renamed(string name)
        {
            JsonObject c = SnowCase(16);
            c["protocol_name"] = name;
            return c;
        }

        JsonObject fallback = Renamed("Noise_IK_25519_ChaChaPoly_BLAKE2b");
        fallback["fallback"] = true;
        (int exit, string[] lines) = Run(WriteVectors(
            Renamed("Noise_XX_448_ChaChaPoly_BLAKE2b"),
            Renamed("Noise_XX_25519_ChaChaPoly_BLAKE2s"),
            Renamed("Noise_XXfallback_25519_AESGCM_SHA256"),
            Renamed("Noise_XXhfs_25519+Kyber1024_ChaChaPoly_BLAKE2b"),
            fallback,
            Renamed("NoisePSK_XX_25519_ChaChaPoly_BLAKE2b")));
        Assert.Equal(0, exit);
        Assert.Equal("SKIP Noise_XX_448_ChaChaPoly_BLAKE2b #0: DH function 448 is not supported", lines[0]);
        Assert.Equal("SKIP Noise_XX_25519_ChaChaPoly_BLAKE2s #1: hash function BLAKE2s is not supported", lines[1]);
        Assert.Contains("fallback", lines[2], StringComparison.Ordinal);
        Assert.Contains("hfs", lines[3], StringComparison.Ordinal);
        Assert.Contains("fallback", lines[4], StringComparison.Ordinal);
        Assert.Contains("legacy NoisePSK_", lines[5], StringComparison.Ordinal);
        Assert.All(lines[..^1], l => Assert.StartsWith("SKIP ", l, StringComparison.Ordinal));
        Assert.Equal("0 passed, 0 failed, 6 skipped", lines[^1]);
    }

    [Theory]
    [InlineData("noise/snow_deferred_psk_25519_chachapoly.json", 72)]
    [InlineData("noise/cacophony_psk_25519_chachapoly.json", 42)]
    public void Every_deferred_and_psk_case_passes(string file, int cases)
    {
        (int exit, string[] lines) = Run(Path.Combine(AppContext.BaseDirectory, "Vectors", file));
        Assert.True(exit == 0, string.Join('\n', lines.Where(l => !l.StartsWith("PASS", StringComparison.Ordinal)).Take(20)));
        Assert.Equal($"{cases} passed, 0 failed, 0 skipped", lines[^1]);
    }

    [Theory]
    [InlineData("Noise_NN_25519_ChaChaPoly_BLAKE2b", "the protocol uses 0 pre-shared key(s), the case gives 1")]
    [InlineData("Noise_NNpsk0+psk2_25519_ChaChaPoly_BLAKE2b", "the protocol uses 2 pre-shared key(s), the case gives 1")]
    public void Psks_that_do_not_match_the_protocol_make_the_case_malformed(string name, string reason)
    {
        JsonObject c = SnowCase(16);
        c["protocol_name"] = name;
        c["init_psks"] = new JsonArray("0000000000000000000000000000000000000000000000000000000000000000");
        (int exit, string[] lines) = Run(WriteVectors(c));
        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL ", lines[0], StringComparison.Ordinal);
        Assert.Contains(reason, lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("init_prologue", "\"zz\"", "field 'init_prologue': not a hex string")]
    [InlineData("init_ephemeral", null, "field 'init_ephemeral' is missing")]
    [InlineData("resp_static", "\"00\"", "field 'resp_static': expected 32 bytes, got 1")]
    [InlineData("messages", null, "field 'messages' is missing")]
    [InlineData("messages", "[{\"payload\": \"\"}]", "field 'messages[0].ciphertext' is missing")]
    [InlineData("messages", "{}", "field 'messages': expected an array")]
    [InlineData("protocol_name", "\"Noise_ZZ_25519_ChaChaPoly_BLAKE2b\"", "field 'protocol_name': unknown handshake pattern 'ZZ'")]
    [InlineData("protocol_name", "42", "field 'protocol_name': expected a string")]
    public void A_malformed_case_fails_naming_the_case_and_field(string field, string? json, string reason)
    {
        JsonObject broken = SnowCase(16);
        if (json is null)
        {
            broken.Remove(field);
        }
        else
        {
            broken[field] = JsonNode.Parse(json);
        }

        (int exit, string[] lines) = Run(WriteVectors(broken, SnowCase(17)));
        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL ", lines[0], StringComparison.Ordinal);
        Assert.Contains("#0", lines[0], StringComparison.Ordinal);
        Assert.Contains(reason, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("PASS Noise_XX_25519_ChaChaPoly_SHA256 #1", lines[1], StringComparison.Ordinal);
        Assert.Equal("1 passed, 1 failed, 0 skipped", lines[^1]);
    }

    [Fact]
    public void A_changed_ciphertext_fails_naming_the_message_and_byte_unless_the_case_expects_failure()
    {
        JsonObject tampered = SnowCase(16);
        JsonObject message = tampered["messages"]![2]!.AsObject();
        string hex = (string)message["ciphertext"]!;
        string changed = (hex[0] == 'a' ? "b" : "a") + hex[1..];
        message["ciphertext"] = changed;
        JsonObject expected = (JsonObject)tampered.DeepClone();
        expected["fail"] = true;
        JsonObject fine = SnowCase(16);
        fine["fail"] = true;

        (int exit, string[] lines) = Run(WriteVectors(tampered, expected, fine));
        Assert.Equal(1, exit);
        Assert.Equal($"FAIL Noise_XX_25519_ChaChaPoly_BLAKE2b #0: message 2 ciphertext: differs at byte 0 (expected {changed[..2]}, got {hex[..2]})", lines[0]);
        Assert.Equal("PASS Noise_XX_25519_ChaChaPoly_BLAKE2b #1", lines[1]);
        Assert.StartsWith("FAIL Noise_XX_25519_ChaChaPoly_BLAKE2b #2: the case is marked \"fail\"", lines[2], StringComparison.Ordinal);
        Assert.Equal("1 passed, 2 failed, 0 skipped", lines[^1]);
    }

    [Theory]
    [InlineData("[]", "not a noise vector file")]
    [InlineData("{\"cases\": []}", "field 'vectors' is missing")]
    [InlineData("{\"vectors\": {}}", "field 'vectors': expected an array")]
    public void A_file_of_the_wrong_shape_is_one_failure_naming_the_file(string content, string reason)
    {
        string path = Write("shape.json", content);
        (int exit, string[] lines) = Run(path);
        Assert.Equal(1, exit);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"FAIL {path}: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(reason, lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_case_that_is_not_an_object_fails_alone()
    {
        (int exit, string[] lines) = Run(Write("odd.json", "{\"vectors\": [7]}"));
        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL case #0: malformed case: expected a case object", lines[0], StringComparison.Ordinal);
    }

    private static JsonObject SnowCase(int index)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", Snow)))!;
        return root["vectors"]![index]!.AsObject().DeepClone().AsObject();
    }

    private string WriteVectors(params JsonObject[] cases) =>
        Write("vectors.json", new JsonObject { ["vectors"] = new JsonArray(cases.Select(c => (JsonNode)c).ToArray()) }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int Exit, string[] Lines) Run(string path)
    {
        using var output = new StringWriter();
        int exit = MixnodeCommand.Run(["vectors", "noise", path], output);
        return (exit, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
