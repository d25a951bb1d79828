namespace Mixnode.Node.Tests.Support;

/// <summary>Waits, with a bound, for something that happens asynchronously over real sockets (never a speed assertion).</summary>
internal static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
