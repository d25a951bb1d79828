using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Cli.Loadgen;
using Mixnode.Client;

namespace Mixnode.Cli.Tests.Loadgen;

/// <summary>
/// loadgen waits for providers that are still starting. The providers here are plain sockets on 127.0.0.1, bound
/// but not yet listening (a connect is refused, as by a node that has not opened its port) until the test says so;
/// the backoff and the bound run on a fake clock, so nothing waits for real time.
/// </summary>
public sealed class LoadgenProviderWaitTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task A_provider_that_starts_listening_late_is_waited_for_and_announced_once()
    {
        using var provider = new LateProvider();
        var time = new FakeTimeProvider();
        using var output = new StringWriter();
        var wait = new LoadgenProviderWait(TimeSpan.FromSeconds(30), time, output);
        long start = time.GetTimestamp();

        Task waiting = wait.WaitAsync([provider.Probe("provider-0")], CancellationToken.None);
        await AdvanceUntilAsync(time, () => provider.Attempts >= 4);
        Assert.False(waiting.IsCompleted);

        provider.Listen();
        await AdvanceUntilAsync(time, () => waiting.IsCompleted);
        await waiting;

        Assert.InRange(time.GetElapsedTime(start), TimeSpan.Zero, TimeSpan.FromSeconds(30));
        string[] lines = Lines(output);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"waiting for provider provider-0 at 127.0.0.1:{provider.Port} (connection refused)…", lines[0]);
        Assert.StartsWith("provider provider-0 is up after ", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_never_comes_fails_at_the_bound_naming_it_and_the_fix()
    {
        using var up = new LateProvider();
        using var never = new LateProvider();
        up.Listen();
        var time = new FakeTimeProvider();
        using var output = new StringWriter();
        var wait = new LoadgenProviderWait(TimeSpan.FromSeconds(5), time, output);
        long start = time.GetTimestamp();

        Task waiting = wait.WaitAsync([up.Probe("provider-0"), never.Probe("provider-1")], CancellationToken.None);
        await AdvanceUntilAsync(time, () => waiting.IsCompleted);
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => waiting);

        // Given up once the bound had passed, not before; having tried again and again. (The clock may have moved a
        // few steps on while the last real connect was refused: the test's steps do not wait for it.)
        Assert.InRange(time.GetElapsedTime(start), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6));
        Assert.True(never.Attempts >= 4, $"{never.Attempts} attempts");
        Assert.Contains($"provider-1 at 127.0.0.1:{never.Port} (connection refused)", e.Message, StringComparison.Ordinal);
        Assert.Contains("still unreachable after waiting 5 s", e.Message, StringComparison.Ordinal);
        Assert.Contains("--wait", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("provider-0", e.Message, StringComparison.Ordinal);
        Assert.Equal([$"waiting for provider provider-1 at 127.0.0.1:{never.Port} (connection refused)…"], Lines(output));
    }

    [Fact]
    public async Task Without_a_wait_the_first_refusal_fails()
    {
        using var provider = new LateProvider();
        using var output = new StringWriter();
        var wait = new LoadgenProviderWait(TimeSpan.Zero, new FakeTimeProvider(), output);

        ClientException e = await Assert.ThrowsAsync<ClientException>(() => wait.WaitAsync([provider.Probe("provider-0")], CancellationToken.None));
        Assert.Equal(1, provider.Attempts);
        Assert.StartsWith($"provider unreachable: provider-0 at 127.0.0.1:{provider.Port} (connection refused)", e.Message, StringComparison.Ordinal);
        Assert.Contains("--wait SECONDS", e.Message, StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task What_waiting_cannot_mend_fails_at_once()
    {
        int attempts = 0;
        var probe = new LoadgenProviderProbe("provider-0", "127.0.0.1:1", _ =>
        {
            attempts++;
            throw new ClientException("provider key mismatch: the node at the client address of 'provider-0' does not hold the link key the topology lists for it");
        });
        using var never = new LateProvider();
        var time = new FakeTimeProvider();
        var wait = new LoadgenProviderWait(TimeSpan.FromSeconds(30), time, TextWriter.Null);

        // The fake clock never moves: the provider that is not listening stops being waited for, as nothing will run.
        ClientException e = await Assert.ThrowsAsync<ClientException>(() => wait.WaitAsync([never.Probe("provider-1"), probe], CancellationToken.None));
        Assert.Contains("key mismatch", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, attempts);
        Assert.Equal(1, never.Attempts);
    }

    [Fact]
    public void Refusals_and_timeouts_are_worth_waiting_for_and_said_in_a_few_words()
    {
        var refused = new ClientException("unreachable", new SocketException((int)SocketError.ConnectionRefused));
        var timedOut = new ClientException("unreachable", new OperationCanceledException());
        Assert.True(LoadgenProviderWait.IsUnreachable(refused));
        Assert.True(LoadgenProviderWait.IsUnreachable(timedOut));
        Assert.False(LoadgenProviderWait.IsUnreachable(new ClientException("provider key mismatch")));
        Assert.Equal("connection refused", LoadgenProviderWait.Reason(refused));
        Assert.Equal("no answer", LoadgenProviderWait.Reason(timedOut));
    }

    /// <summary>Moves the fake clock on in small steps, letting the waiter's real socket work run between them.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> done)
    {
        // Bounded in steps, not in time: 2,000 steps of 100 ms are far past any bound used here.
        for (int i = 0; i < 2000 && !done(); i++)
        {
            time.Advance(Step);
            await Task.Delay(5);
        }

        Assert.True(done(), "the waiter did not get there");
    }

    private static string[] Lines(StringWriter output) => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A socket bound on 127.0.0.1 that refuses connections until <see cref="Listen"/>.</summary>
    private sealed class LateProvider : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private int _attempts;

        public LateProvider() => _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

        public int Attempts => Volatile.Read(ref _attempts);

        public void Listen() => _socket.Listen();

        /// <summary>A connect as the client library makes it: a refusal is a <see cref="ClientException"/> around the socket error.</summary>
        public LoadgenProviderProbe Probe(string name) => new(name, $"127.0.0.1:{Port}", async cancellationToken =>
        {
            Interlocked.Increment(ref _attempts);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), cancellationToken);
            }
            catch (SocketException e)
            {
                throw new ClientException($"provider '{name}' is unreachable at 127.0.0.1:{Port}: {e.Message}", e);
            }
        });

        public void Dispose() => _socket.Dispose();
    }
}
