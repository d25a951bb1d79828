using System.Text.Json;

namespace Mixnode.Cli.Tests.Keygen;

public sealed class KeygenCommandTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Keygen_writes_owner_only_keys_and_prints_the_descriptor()
    {
        string node = _dir.Combine("mix-a");
        (int code, string text) = Run("keygen", "--dir", node, "--layer", "1", "--address", "127.0.0.1:30001", "--address", "[::1]:30001");
        Assert.Equal(0, code);

        using JsonDocument printed = JsonDocument.Parse(text);
        JsonElement root = printed.RootElement;
        Assert.Equal("mix-a", root.GetProperty("name").GetString());
        Assert.Equal("mix", root.GetProperty("role").GetString());
        Assert.Equal(1, root.GetProperty("layer").GetInt32());
        Assert.Equal(["127.0.0.1:30001", "[::1]:30001"], root.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(3, root.GetProperty("mix_keys").EnumerateObject().Count());
        Assert.Equal(64, root.GetProperty("id").GetString()!.Length);
        Assert.Equal(text, File.ReadAllText(Path.Combine(node, "descriptor.json")));

        string[] privateFiles = [Path.Combine(node, "identity.key"), Path.Combine(node, "link.key"), .. Directory.GetFiles(Path.Combine(node, "mix"))];
        Assert.Equal(5, privateFiles.Length);
        if (!OperatingSystem.IsWindows())
        {
            foreach (string file in privateFiles)
            {
                Assert.Equal(Private, File.GetUnixFileMode(file));
            }

            Assert.Equal(Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(node, "link.pub")));
        }

        Assert.StartsWith("-----BEGIN MIXNODE ED25519 PRIVATE KEY-----", File.ReadAllText(Path.Combine(node, "identity.key")), StringComparison.Ordinal);
    }

    [Fact]
    public void Running_again_keeps_the_identity_and_settings_and_adds_mix_keys()
    {
        string node = _dir.Combine("p");
        (int code, string first) = Run("keygen", "--dir", node, "--role", "provider", "--name", "provider-1", "--address", "10.0.0.1:30000");
        Assert.Equal(0, code);
        (code, string second) = Run("keygen", "--dir", node, "--epochs", "5");
        Assert.Equal(0, code);

        using JsonDocument a = JsonDocument.Parse(first);
        using JsonDocument b = JsonDocument.Parse(second);
        foreach (string field in new[] { "id", "identity_key", "link_key", "name", "role" })
        {
            Assert.Equal(a.RootElement.GetProperty(field).GetString(), b.RootElement.GetProperty(field).GetString());
        }

        Assert.Equal("10.0.0.1:30000", b.RootElement.GetProperty("addresses")[0].GetString());
        Assert.False(b.RootElement.TryGetProperty("layer", out _));
        Assert.True(b.RootElement.GetProperty("mix_keys").EnumerateObject().Count() >= 5);
    }

    [Fact]
    public void A_provider_with_a_layer_is_a_usage_error()
    {
        (int code, string text) = Run("keygen", "--dir", _dir.Combine("p"), "--role", "provider", "--layer", "1");
        Assert.Equal(2, code);
        Assert.Contains("a provider has no layer", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_address_is_reported_without_a_stack_trace()
    {
        (int code, string text) = Run("keygen", "--dir", _dir.Combine("m"), "--address", "no-port");
        Assert.Equal(2, code);
        Assert.Contains("--address 'no-port' is not host:port", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("m")));
    }

    [Fact]
    public void An_exposed_private_key_stops_keygen_with_the_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string node = _dir.Combine("m");
        Assert.Equal(0, Run("keygen", "--dir", node).Code);
        string link = Path.Combine(node, "link.key");
        File.SetUnixFileMode(link, Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        (int code, string text) = Run("keygen", "--dir", node);
        Assert.Equal(1, code);
        Assert.Contains($"chmod 600 {link}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Dir_is_required()
    {
        (int code, _) = Run("keygen");
        Assert.NotEqual(0, code);
    }

    private static (int Code, string Text) Run(params string[] args)
    {
        using var output = new StringWriter();
        int code = MixnodeCommand.Run(args, output);
        return (code, output.ToString());
    }
}
