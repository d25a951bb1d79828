namespace Mixnode.Client.Tests.Consensus;

/// <summary>Waits (bounded, real time) for a background task to reach a state the test set up with a fake clock.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        for (int i = 0; i < 500; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(10);
        }

        Assert.Fail($"not within 5 s: {what}");
    }
}
