using System.Runtime.InteropServices;

namespace Mixnode.Cli.Testnet;

/// <summary>POSIX signals, which <see cref="System.Diagnostics.Process"/> cannot send: it only kills (SIGKILL).</summary>
internal static partial class NativeMethods
{
    public const int SigTerm = 15;

    /// <summary>Asks a process to stop the way Ctrl-C or a service manager would; false if it is already gone.</summary>
    public static bool TrySendSigTerm(int pid) => !OperatingSystem.IsWindows() && Kill(pid, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
