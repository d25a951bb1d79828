using Mixnode.Pki;

namespace Mixnode.Pki.Tests;

/// <summary>Key directories open to group or others, or owned by someone else, are refused before any key is read.</summary>
public sealed class KeyDirectoryTests : IDisposable
{
    private const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _root = Directory.CreateTempSubdirectory("mixnode-keydir-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_directory_only_its_owner_may_open_is_accepted()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // modes do not apply: the check is a no-op there
        }

        string keys = Create("keys", Owner);
        Create(Path.Combine("keys", "mix"), Owner);
        KeyDirectory.CheckPrivate(keys, "mix");

        // Search permission alone reveals nothing without a name.
        File.SetUnixFileMode(keys, Owner | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        KeyDirectory.CheckPrivate(keys, "mix");
    }

    [Theory]
    [InlineData(0b111_101_101)] // 0755, what a default umask gives
    [InlineData(0b111_100_000)] // 0740
    [InlineData(0b111_010_000)] // 0720
    [InlineData(0b111_000_100)] // 0704
    [InlineData(0b111_000_010)] // 0702
    public void A_directory_group_or_others_may_read_or_write_is_refused_with_the_fix(int mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string keys = Create("keys", (UnixFileMode)mode);
        var e = Assert.Throws<KeyFileException>(() => KeyDirectory.CheckPrivate(keys));
        Assert.Contains(keys, e.Message, StringComparison.Ordinal);
        Assert.Contains($"chmod 700 {keys}", e.Message, StringComparison.Ordinal);
        Assert.Contains("0" + Convert.ToString(mode, 8), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_open_subdirectory_is_refused_and_a_missing_one_is_not()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string keys = Create("keys", Owner);
        KeyDirectory.CheckPrivate(keys, "mix"); // no mix/ yet: keygen makes it
        string mix = Create(Path.Combine("keys", "mix"), Owner | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var e = Assert.Throws<KeyFileException>(() => KeyDirectory.CheckPrivate(keys, "mix"));
        Assert.Contains($"chmod 700 {mix}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_directory_is_left_to_the_key_file_reads() =>
        KeyDirectory.CheckPrivate(Path.Combine(_root, "absent"), "mix");

    [Fact]
    public void The_owner_is_this_process_user_for_a_directory_it_made()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the owner is compared on Linux only (statx)
        }

        string keys = Create("keys", Owner);
        (uint owner, uint process) = KeyDirectory.Owners(keys)!.Value;
        Assert.Equal(process, owner);
    }

    [Fact]
    public void A_directory_owned_by_another_user_is_refused()
    {
        // Giving a directory away takes root: elsewhere there is no way to make one, so nothing to check.
        if (!OperatingSystem.IsLinux() || KeyDirectory.Owners(_root)!.Value.Process != 0)
        {
            return;
        }

        string keys = Create("keys", Owner);
        Assert.Equal(0, Chown(keys, 65534, 65534)); // nobody
        var e = Assert.Throws<KeyFileException>(() => KeyDirectory.CheckPrivate(keys));
        Assert.Contains(keys, e.Message, StringComparison.Ordinal);
        Assert.Contains("owned by user 65534", e.Message, StringComparison.Ordinal);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string Create(string relative, UnixFileMode mode)
    {
        string path = Path.Combine(_root, relative);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, mode); // explicit: CreateDirectory's mode is filtered by the umask
        return path;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown", SetLastError = true)]
    private static extern int Chown(string path, uint owner, uint group);
}
