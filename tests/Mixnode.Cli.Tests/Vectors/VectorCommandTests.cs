using Mixnode.Cli.Vectors;

namespace Mixnode.Cli.Tests.Vectors;

/// <summary><c>mixnode vectors</c> on the published files, and on files that are broken in every way we can think of.</summary>
public sealed class VectorCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mixnode-vectors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, string> PublishedFiles() => new()
    {
        { "sphinx", "sphinx/sphinx_vectors.json" },
        { "sphinx", "sphinx/sphinx_vectors_trace.json" },
        { "sphinx", "sphinx/sphinx_commands_vectors.json" },
        { "sphinx", "sphinx/katzenpost_primitive_kats.json" },
        { "aez", "aez/extract.json" },
        { "aez", "aez/generated_E_tweakable_blockcipher.json" },
        { "aez", "aez/hash.json" },
        { "aez", "aez/prf.json" },
        { "aez", "aez/sprp_tau0_noad_short.json" },
        { "aez", "aez/encrypt_no_ad.json" },
        { "aez", "aez/encrypt_16_byte_key.json" },
        { "aez", "aez/encrypt_33_byte_ad.json" },
        { "aez", "aez/encrypt_even.json" },
    };

    [Theory]
    [MemberData(nameof(PublishedFiles))]
    public void Every_case_of_a_published_file_passes(string suite, string file)
    {
        (int exit, string[] lines) = Run(suite, Path.Combine(AppContext.BaseDirectory, "Vectors", file));
        string summary = lines[^1];
        Assert.True(exit == 0, string.Join('\n', lines.Where(l => !l.StartsWith("PASS", StringComparison.Ordinal)).Take(20)));
        Assert.All(lines[..^1], l => Assert.StartsWith("PASS ", l, StringComparison.Ordinal));
        Assert.Equal($"{lines.Length - 1} passed, 0 failed, 0 skipped", summary);
        Assert.True(lines.Length > 1);
    }

    [Fact]
    public void A_tampered_packet_case_fails_naming_the_hop_and_exits_1()
    {
        string text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "sphinx", "sphinx_vectors.json"));
        int at = text.IndexOf("\"Packets\": [", StringComparison.Ordinal);
        int hex = text.IndexOf("\"0000", at, StringComparison.Ordinal) + 200;
        char flipped = text[hex] == 'a' ? 'b' : 'a';
        string path = Write("tampered.json", string.Concat(text.AsSpan(0, hex), flipped.ToString(), text.AsSpan(hex + 1)));

        (int exit, string[] lines) = Run("sphinx", path);
        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL packet #0 (2-hop forward): hop 0: unwrap returned MacMismatch", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("PASS packet #1", lines[1], StringComparison.Ordinal);
        Assert.Equal("1 passed, 1 failed, 0 skipped", lines[^1]);
    }

    [Theory]
    [InlineData("sphinx", "[{\"Nodes\": [], \"Path\": [{\"ID\": \"00\"}], \"Packets\": [\"\", \"\"], \"Payload\": \"zz\"}]", "field 'Payload': not a hex string")]
    [InlineData("sphinx", "[{\"Path\": []}]", "field 'Nodes' is missing")]
    [InlineData("sphinx", "[{\"Nodes\": [], \"Path\": [{}], \"Packets\": [\"\", \"\"], \"Payload\": \"\"}]", "field 'Packets[0]': 0 bytes")]
    [InlineData("aez", "[{\"a\": \"0\", \"b\": \"00\"}]", "field 'a': hex string has odd length 1")]
    [InlineData("aez", "[{\"k\": \"00\", \"nonce\": \"00\", \"data\": [], \"tau\": \"x\", \"m\": \"\", \"c\": \"\"}]", "field 'tau'")]
    public void A_malformed_case_fails_naming_the_case_and_field(string suite, string json, string reason)
    {
        (int exit, string[] lines) = Run(suite, Write("bad.json", json));
        Assert.Equal(1, exit);
        Assert.StartsWith("FAIL ", lines[0], StringComparison.Ordinal);
        Assert.Contains("#0", lines[0], StringComparison.Ordinal);
        Assert.Contains(reason, lines[0], StringComparison.Ordinal);
        Assert.Equal("0 passed, 1 failed, 0 skipped", lines[^1]);
    }

    [Theory]
    [InlineData("sphinx", "not json", "not valid JSON")]
    [InlineData("sphinx", "42", "not a sphinx vector file")]
    [InlineData("sphinx", "{\"x\": 1}", "not a sphinx vector file")]
    [InlineData("aez", "{\"vectors\": []}", "not a aez vector file")]
    [InlineData("aez", "", "not valid JSON")]
    public void A_file_of_the_wrong_shape_is_one_failure_naming_the_file(string suite, string content, string reason)
    {
        string path = Write("shape.json", content);
        (int exit, string[] lines) = Run(suite, path);
        Assert.Equal(1, exit);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"FAIL {path}: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(reason, lines[0], StringComparison.Ordinal);
        Assert.Equal("0 passed, 1 failed, 0 skipped", lines[1]);
    }

    [Fact]
    public void A_missing_file_is_reported()
    {
        (int exit, string[] lines) = Run("sphinx", Path.Combine(_dir, "nope.json"));
        Assert.Equal(1, exit);
        Assert.EndsWith("file not found", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Random_garbage_never_crashes_the_runner()
    {
        var random = new Random(7);
        foreach (VectorSuite suite in VectorsCommand.Suites)
        {
            for (int i = 0; i < 50; i++)
            {
                byte[] bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                string path = Path.Combine(_dir, $"garbage-{i}.json");
                File.WriteAllBytes(path, bytes);
                (int exit, string[] lines) = Run(suite.Name, path);
                Assert.Equal(1, exit);
                Assert.EndsWith("failed, 0 skipped", lines[^1], StringComparison.Ordinal);
            }
        }
    }

    private string Write(string name, string content)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static (int Exit, string[] Lines) Run(string suite, string path)
    {
        using var output = new StringWriter();
        int exit = MixnodeCommand.Run(["vectors", suite, path], output);
        return (exit, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
