using Mixnode.Cli.Tests.Keygen;

namespace Mixnode.Cli.Tests.Authority;

/// <summary><c>mixnode authority keygen</c> and the start-up errors of <c>mixnode authority run</c>.</summary>
public sealed class AuthorityCommandTests : IDisposable
{
    private readonly CliTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Keygen_writes_an_owner_only_key_and_keeps_it_on_a_second_run()
    {
        string keys = _dir.Combine("keys");
        var first = new StringWriter();
        Assert.Equal(0, MixnodeCommand.Run(["authority", "keygen", "--dir", keys], first));
        string publicKey = first.ToString().Trim();
        Assert.Equal(32, Convert.FromBase64String(publicKey).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(keys, "authority.key")));
        }

        Assert.True(File.Exists(Path.Combine(keys, "authority.pub")));

        var second = new StringWriter();
        Assert.Equal(0, MixnodeCommand.Run(["authority", "keygen", "--dir", keys], second));
        Assert.Equal(publicKey, second.ToString().Trim());
    }

    [Fact]
    public void Run_with_invalid_settings_names_them_and_exits_2()
    {
        string config = _dir.Combine("authority.json");
        File.WriteAllText(config, """{"Mixnode": {"Authority": {"Name": "auth-0", "ListenAddress": "nowhere", "Layers": 0}}}""");
        var output = new StringWriter();
        Assert.Equal(2, MixnodeCommand.Run(["authority", "run", "--config", config], output));
        string text = output.ToString();
        Assert.Contains("Mixnode:Authority:ListenAddress", text, StringComparison.Ordinal);
        Assert.Contains("Mixnode:Authority:KeysDirectory is required", text, StringComparison.Ordinal);
        Assert.Contains("layers", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_with_a_missing_file_says_which_and_exits_2()
    {
        var output = new StringWriter();
        Assert.Equal(2, MixnodeCommand.Run(["authority", "run", "--config", _dir.Combine("missing.json")], output));
        Assert.Contains("does not exist", output.ToString(), StringComparison.Ordinal);
    }
}
