using Mixnode.Sphinx.Crypto;

namespace Mixnode.IntegrationTests;

/// <summary>
/// A node whose AEZ would run on the table-driven software AES (no AES-NI; forced here with MIXNODE_AES=software)
/// refuses to start, naming the option, and starts when the operator allows it.
/// </summary>
public sealed class SoftwareAesStartupTests : IDisposable
{
    private readonly LocalNetwork _network = ChainTests.CreateNetwork();

    public void Dispose() => _network.Dispose();

    [Fact]
    public async Task Without_aes_ni_the_node_refuses_to_start_unless_allowed()
    {
        using (ChildProcessNode refused = Start())
        {
            int? exit = await refused.WaitForExitAsync(TimeSpan.FromSeconds(60));
            Assert.True(exit is not null, "the node started on software AES without Mixnode:AllowSoftwareAes");
            Assert.Equal(2, exit);
            Assert.Contains("Mixnode:AllowSoftwareAes=true", refused.Output, StringComparison.Ordinal);
        }

        using ChildProcessNode allowed = Start("Mixnode:AllowSoftwareAes=true");
        await using InjectorLink link = await allowed.ConnectInjectorAsync(_network, "mix0", TimeSpan.FromSeconds(30));
        Assert.False(allowed.HasExited);
    }

    /// <summary><c>mixnode run</c> for mix0 with the software AES forced.</summary>
    private ChildProcessNode Start(params string[] extra) =>
        ChildProcessNode.Start(_network, "mix0", new Dictionary<string, string> { [AesBackend.EnvironmentVariable] = "software" }, extra);
}
