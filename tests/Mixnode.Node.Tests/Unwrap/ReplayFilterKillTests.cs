using System.Diagnostics;
using System.Globalization;
using Mixnode.Node.Unwrap.Replay;
using Mixnode.Sphinx;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>A real SIGKILL: a child process accepts tags into a filter and is killed without flush or dispose.</summary>
public sealed class ReplayFilterKillTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mixnode-replay-kill-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Tags_accepted_by_a_process_killed_with_sigkill_are_refused_after_restart()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string path = ReplayFilter.PathFor(_dir, 3);
        const int count = 20_000;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(ReplayFilterChild).Assembly.Location);
        start.ArgumentList.Add(ReplayFilterChild.Verb);
        start.ArgumentList.Add(path);
        start.ArgumentList.Add(count.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("21");

        using var child = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? line;
        try
        {
            line = await child.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            line = null;
        }

        if (line is null)
        {
            child.Kill();
            Assert.Fail($"the child said nothing; stderr: {await child.StandardError.ReadToEndAsync(CancellationToken.None)}");
        }

        Assert.Equal(count, int.Parse(line, CultureInfo.InvariantCulture));

        child.Kill(); // SIGKILL: no flush, no dispose, no finalizers.
        await child.WaitForExitAsync(timeout.Token);
        Assert.Equal(128 + 9, child.ExitCode);

        using ReplayFilter restarted = ReplayFilter.Open(path, ReplayFilterChild.Options());
        Bytes32[] tags = ReplayFilterChild.Tags(count, 21);
        Assert.All(tags, t => Assert.False(restarted.TryAdd(t)));
        Assert.True(restarted.TryAdd(ReplayFilterChild.Tags(1, 22)[0]));
    }
}
