using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Mixnode.Client;

/// <summary>
/// Lets one socket's completions run on the runtime's socket event thread instead of being queued to the thread pool.
/// Each queued completion wakes a pool thread, which then spins looking for more work before it sleeps: on a loaded
/// 2-core machine that spinning was half of a load generator's CPU. Uses the runtime's experimental per-socket switch
/// (<c>Socket.PreferInlineCompletions</c>, internal, kept for reflection by the runtime itself); the process-wide
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> sets the same for every socket, nodes' included.
/// </summary>
internal static class InlineCompletions
{
    /// <summary>True when the switch was set; false on a runtime without it (completions then stay on the pool).</summary>
    public static bool TryEnable(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            SetPreferInlineCompletions(socket, true);
            return true;
        }
        catch (MissingMethodException)
        {
            return false;
        }
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_PreferInlineCompletions")]
    private static extern void SetPreferInlineCompletions(Socket socket, bool value);
}
