using System.Runtime.InteropServices;

namespace Mixnode.Pki;

/// <summary>
/// The check a process makes of a directory that holds its private keys before loading them: on Unix the directory
/// must belong to the user the process runs as and must not be readable or writable by group or others. A key file
/// refuses to be read when others may read it (<see cref="KeyFile"/>), but a directory others may write lets them
/// swap a key file for their own, and one they may read lists which epochs have keys; one owned by another user can
/// be opened up by that user at any time.
/// </summary>
/// <remarks>
/// Search permission alone (<c>0711</c>) is allowed: it reveals nothing without a file name, and the names here are
/// fixed. Directories Mixnode creates (<c>mixnode keygen</c>, <c>mixnode topology keygen</c>, <c>mixnode testnet</c>)
/// are created 0700. The owner is compared on Linux (statx); elsewhere only the mode is.
/// </remarks>
internal static partial class KeyDirectory
{
    private const UnixFileMode GroupOrOthersReadWrite =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>
    /// Throws <see cref="KeyFileException"/> naming the directory and the fix when <paramref name="directory"/> (or
    /// any of <paramref name="subdirectories"/> that exists below it) is open to group or others or owned by another
    /// user. A missing <paramref name="directory"/> is left to the key file reads, which say what to run.
    /// </summary>
    public static void CheckPrivate(string directory, params string[] subdirectories)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (OperatingSystem.IsWindows())
        {
            return; // ACLs, not modes: out of scope for this check
        }

        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            return;
        }

        CheckOne(root);
        foreach (string subdirectory in subdirectories)
        {
            string path = Path.Combine(root, subdirectory);
            if (Directory.Exists(path))
            {
                CheckOne(path);
            }
        }
    }

    /// <summary>The owner of <paramref name="path"/> (symbolic links followed) and of this process; null where not known.</summary>
    internal static (uint Owner, uint Process)? Owners(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        StatxBuffer buffer = default;
        if (Statx(AtFdCwd, path, 0, StatxUid, ref buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new KeyFileException($"key directory {path} cannot be examined (errno {errno})");
        }

        return ((buffer.Mask & StatxUid) != 0 ? buffer.Uid : throw new KeyFileException($"key directory {path}: the file system reports no owner"),
            GetEffectiveUserId());
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CheckOne(string path)
    {
        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthersReadWrite) != 0)
        {
            throw new KeyFileException(
                $"key directory {path} is open to group or others (mode {FormatMode(mode)}): they could read which keys " +
                $"it holds or replace them. Restrict it with `chmod 700 {path}`");
        }

        if (Owners(path) is (uint owner, uint process) && owner != process)
        {
            throw new KeyFileException(
                $"key directory {path} is owned by user {owner}, not by user {process} that this process runs as: " +
                $"its owner could open it up at any time. Run as that user, or `chown {process} {path}` and `chmod 700 {path}`");
        }
    }

    private static string FormatMode(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    // statx (Linux 4.11, glibc 2.28): unlike struct stat, its layout is the same on every architecture.
    private const int AtFdCwd = -100;
    private const uint StatxUid = 0x8;

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint LinkCount;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
