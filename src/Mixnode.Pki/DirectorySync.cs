using System.Runtime.InteropServices;

namespace Mixnode.Pki;

/// <summary>
/// Makes a rename durable: on Linux a rename is an update of the directory, and after a crash the directory may
/// still hold the old entry (or none) unless the directory itself was flushed. .NET has no API for it (a directory
/// cannot be opened as a file), so this is open(O_RDONLY) + fsync + close from libc. Elsewhere a no-op.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;

    /// <summary>O_CLOEXEC (the same on x64 and arm64 Linux): the descriptor never leaks into a child process.</summary>
    private const int CloseOnExec = 0x80000;

    /// <summary>Flushes <paramref name="directory"/>'s entries to disk; <see cref="IOException"/> naming it when that fails.</summary>
    public static void Flush(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = Open(directory, ReadOnly | CloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open the directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"cannot flush the directory {directory} to disk (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
