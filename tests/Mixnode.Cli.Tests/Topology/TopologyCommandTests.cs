using System.Text;
using Mixnode.Cli.Tests.Keygen;

namespace Mixnode.Cli.Tests.Topology;

public sealed class TopologyCommandTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string AuthorityKey => _dir.Combine("authority", "authority.key");

    private string AuthorityPub => _dir.Combine("authority", "authority.pub");

    private string Document => _dir.Combine("topology.json");

    [Fact]
    public void Keygen_sign_verify_end_to_end()
    {
        string[] descriptors = MakeNetwork();
        (int code, string text) = Run(["topology", "sign", "--authority-key", AuthorityKey, "--out", Document, "--mean-delay-ms", "20", .. descriptors]);
        Assert.Equal(0, code);
        Assert.Contains("signed ", text, StringComparison.Ordinal);

        (code, text) = Run("topology", "verify", Document, "--authority-pub", AuthorityPub);
        Assert.Equal(0, code);
        Assert.Contains("valid:", text, StringComparison.Ordinal);
        Assert.Contains("providers: 1 (provider-0)", text, StringComparison.Ordinal);
        Assert.Contains("layer 0: 2 mixes (mix-0-0, mix-0-1)", text, StringComparison.Ordinal);
        Assert.Contains("layer 2: 1 mix (mix-2-0)", text, StringComparison.Ordinal);
        Assert.Contains("nodes: 5", text, StringComparison.Ordinal);
        Assert.Contains("mean delay 20 ms", text, StringComparison.Ordinal);
        Assert.Contains("packet 3082 B", text, StringComparison.Ordinal);

        // The authority's key may also be given directly in base64.
        string base64 = File.ReadAllLines(AuthorityPub)[1];
        Assert.Equal(0, Run("topology", "verify", Document, "--authority-pub", base64).Code);
    }

    [Fact]
    public void Authority_files_are_owner_only_and_never_replaced()
    {
        (int code, string text) = Run("topology", "keygen", "--out", _dir.Combine("authority"));
        Assert.Equal(0, code);
        Assert.Contains("authority:", text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(AuthorityKey));
        }

        string before = File.ReadAllText(AuthorityKey);
        (code, text) = Run("topology", "keygen", "--out", _dir.Combine("authority"));
        Assert.Equal(1, code);
        Assert.Contains("already exists", text, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(AuthorityKey));
    }

    [Fact]
    public void Verify_reports_tampering_and_foreign_authorities()
    {
        string[] descriptors = MakeNetwork();
        Assert.Equal(0, Run(["topology", "sign", "--authority-key", AuthorityKey, "--out", Document, .. descriptors]).Code);

        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("other")).Code);
        (int code, string text) = Run("topology", "verify", Document, "--authority-pub", _dir.Combine("other", "authority.pub"));
        Assert.Equal(1, code);
        Assert.Contains("invalid: the document is signed by none of the expected authorities", text, StringComparison.Ordinal);

        string tampered = File.ReadAllText(Document).Replace("\"mean_delay_ms\": 50", "\"mean_delay_ms\": 90", StringComparison.Ordinal);
        File.WriteAllText(Document, tampered, new UTF8Encoding(false));
        (code, text) = Run("topology", "verify", Document, "--authority-pub", AuthorityPub);
        Assert.Equal(1, code);
        Assert.Contains("invalid: bad signature", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

        (code, text) = Run("topology", "verify", _dir.Combine("missing.json"), "--authority-pub", AuthorityPub);
        Assert.Equal(1, code);
        Assert.Contains("cannot read the network document", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_refuses_a_gap_in_the_layers()
    {
        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("authority")).Code);
        string p = Node("provider-0", "--role", "provider");
        string m0 = Node("mix-0", "--layer", "0");
        string m2 = Node("mix-2", "--layer", "2");
        (int code, string text) = Run("topology", "sign", "--authority-key", AuthorityKey, "--out", Document, p, m0, m2);
        Assert.Equal(1, code);
        Assert.Contains("no mix is in layer 1", text, StringComparison.Ordinal);
        Assert.False(File.Exists(Document));
    }

    [Fact]
    public void Sign_with_the_vector_geometry_and_another_epoch_period()
    {
        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("authority")).Code);
        string p = Node("provider-0", "--role", "provider", "--epoch-period-seconds", "60");
        string m = Node("mix-0", "--layer", "0", "--epoch-period-seconds", "60");
        (int code, string text) = Run("topology", "sign", "--authority-key", AuthorityKey, "--out", Document, "--geometry", "vectors", "--epoch-period-seconds", "60", p, m);
        Assert.Equal(0, code);
        Assert.Contains("packet 611 B", text, StringComparison.Ordinal);
        Assert.Contains("period 60 s", text, StringComparison.Ordinal);

        // Keys made for 60-second epochs are nowhere near the 20-minute epoch numbers.
        (code, text) = Run("topology", "sign", "--authority-key", AuthorityKey, "--out", Document, p, m);
        Assert.Equal(1, code);
        Assert.Contains("--epoch-period-seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Sign_names_a_bad_descriptor_file()
    {
        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("authority")).Code);
        string bad = _dir.Combine("bad.json");
        File.WriteAllText(bad, "{\"name\": \"x\"}");
        (int code, string text) = Run("topology", "sign", "--authority-key", AuthorityKey, "--out", Document, bad);
        Assert.Equal(1, code);
        Assert.Contains($"{bad}: node 'x': missing field 'id'", text, StringComparison.Ordinal);
    }

    private string[] MakeNetwork()
    {
        Assert.Equal(0, Run("topology", "keygen", "--out", _dir.Combine("authority")).Code);
        return
        [
            Node("provider-0", "--role", "provider"),
            Node("mix-0-0", "--layer", "0"),
            Node("mix-0-1", "--layer", "0"),
            Node("mix-1-0", "--layer", "1"),
            Node("mix-2-0", "--layer", "2"),
        ];
    }

    private int _port = 30000;

    private string Node(string name, params string[] options)
    {
        string dir = _dir.Combine(name);
        (int code, string text) = Run(["keygen", "--dir", dir, "--address", $"127.0.0.1:{_port++}", .. options]);
        Assert.True(code == 0, text);
        return Path.Combine(dir, "descriptor.json");
    }

    private static (int Code, string Text) Run(params string[] args)
    {
        using var output = new StringWriter();
        int code = MixnodeCommand.Run(args, output);
        return (code, output.ToString());
    }
}
