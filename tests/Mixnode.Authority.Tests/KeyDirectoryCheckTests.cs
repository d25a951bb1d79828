using Mixnode.Authority.Configuration;
using Mixnode.Authority.Engine;
using Mixnode.Pki;
using NSec.Cryptography;

namespace Mixnode.Authority.Tests;

/// <summary>The authority refuses a key directory open to group or others before it reads its key.</summary>
public sealed class KeyDirectoryCheckTests : IDisposable
{
    private readonly string _keys = Directory.CreateTempSubdirectory("mixnode-authority-keydir-").FullName;

    public void Dispose() => Directory.Delete(_keys, recursive: true);

    [Fact]
    public void A_keys_directory_others_may_read_is_refused_at_load_naming_the_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // modes do not apply
        }

        using (var key = new Key(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters))
        {
            KeyFile.WriteEd25519(Path.Combine(_keys, "authority.key"), key);
        }

        File.SetUnixFileMode(_keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var options = new AuthorityOptions { KeysDirectory = _keys, AuthoritiesFile = Path.Combine(_keys, "absent.json") };
        var e = Assert.Throws<KeyFileException>(() => AuthoritySettings.Load(options));
        Assert.Contains($"chmod 700 {_keys}", e.Message, StringComparison.Ordinal);
    }
}
