using Mixnode.Node.Unwrap.Replay;

namespace Mixnode.IntegrationTests;

/// <summary>
/// A node whose replay filter was deleted or emptied behind its back refuses to start (exit 2, one message naming the
/// file) instead of starting with an empty filter that would let every packet of the current key be replayed.
/// </summary>
public sealed class ReplayStateStartupTests : IDisposable
{
    private readonly LocalNetwork _network = ChainTests.CreateNetwork();

    public void Dispose() => _network.Dispose();

    [Theory]
    [InlineData("deleted", "missing, but its mix key already had a filter")]
    [InlineData("emptied", "shorter than the 4096-byte header")]
    public async Task A_node_whose_replay_filter_was_lost_refuses_to_start(string damage, string expected)
    {
        // A first life: the node makes its filters (and their markers) before it listens.
        using (ChildProcessNode first = ChildProcessNode.Start(_network, "mix0"))
        {
            await using InjectorLink link = await InjectorLink.ConnectAsMemberAsync(_network, "injector", "mix0", TimeSpan.FromSeconds(30));
            first.Kill();
        }

        string filter = ReplayFilter.PathFor(_network.StateDirectory("mix0"), (ulong)ChainTests.CurrentEpoch(_network));
        Assert.True(File.Exists(filter));
        if (damage == "deleted")
        {
            File.Delete(filter);
        }
        else
        {
            File.WriteAllBytes(filter, []);
        }

        using ChildProcessNode second = ChildProcessNode.Start(_network, "mix0");
        int? exit = await second.WaitForExitAsync(TimeSpan.FromSeconds(60));
        string output = second.Output;

        Assert.True(exit is not null, "the node started without its replay filter");
        Assert.Equal(2, exit);
        Assert.Contains(filter, output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }
}
