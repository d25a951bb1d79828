using Mixnode.Node.Keys;
using Mixnode.Node.Tests.Support;
using Mixnode.Pki;

namespace Mixnode.Node.Tests.Keys;

/// <summary>The node loads its link key first at start; a key directory open to group or others is refused there.</summary>
public sealed class KeyDirectoryCheckTests : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Keys_made_by_keygen_load()
    {
        var store = new NodeKeyStore(_dir.Combine("node"));
        store.CreateDirectories();
        store.EnsureLinkKey();
        store.LoadLinkKey().Dispose();
    }

    [Fact]
    public void A_keys_directory_others_may_read_is_refused_before_the_link_key_is_read()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // modes do not apply
        }

        var store = new NodeKeyStore(_dir.Combine("node"));
        store.CreateDirectories();
        store.EnsureLinkKey();
        File.SetUnixFileMode(store.Directory, Owner | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var e = Assert.Throws<KeyFileException>(() => store.LoadLinkKey());
        Assert.Contains($"chmod 700 {store.Directory}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mix_directory_others_may_write_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var store = new NodeKeyStore(_dir.Combine("node"));
        store.CreateDirectories();
        store.EnsureLinkKey();
        string mix = Path.Combine(store.Directory, NodeKeyStore.MixDirectory);
        File.SetUnixFileMode(mix, Owner | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        var e = Assert.Throws<KeyFileException>(() => store.LoadLinkKey());
        Assert.Contains($"chmod 700 {mix}", e.Message, StringComparison.Ordinal);
    }
}
