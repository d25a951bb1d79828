using System.Globalization;
using System.Net.Sockets;
using Mixnode.Client;

namespace Mixnode.Cli.Loadgen;

/// <summary>One provider to wait for: its name, its client address and a connect that throws <see cref="ClientException"/>.</summary>
internal sealed record LoadgenProviderProbe(string Name, string Address, Func<CancellationToken, Task> ConnectAsync);

/// <summary>
/// Waits, before a run, until every provider takes a client connection: a script that starts loadgen right after the
/// test network would otherwise fail on the first refused connection, while the nodes are still starting. Each
/// provider is tried again with backoff (0.1 s doubling to 2 s) while it is unreachable (refused, no route, no answer),
/// for at most the bound over all of them; one line says which provider is awaited, once per provider. Anything else
/// (a key that is not the topology's, a failed handshake) will not mend by waiting and fails at once. Runs on a
/// <see cref="TimeProvider"/>, so tests drive the clock.
/// </summary>
internal sealed class LoadgenProviderWait
{
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_longestBackoff = TimeSpan.FromSeconds(2);

    private readonly TimeSpan _bound;
    private readonly TimeProvider _time;
    private readonly TextWriter _output;
    private readonly Lock _outputLock = new();

    /// <param name="bound">How long to keep trying, over all providers; zero: fail on the first refusal.</param>
    /// <param name="output">Where the "waiting for provider …" lines go (written from several providers' tasks; kept apart here).</param>
    public LoadgenProviderWait(TimeSpan bound, TimeProvider time, TextWriter output)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, TimeSpan.Zero);
        _bound = bound;
        _time = time;
        _output = output;
    }

    /// <summary>
    /// Returns once every provider took a connection. Throws <see cref="ClientException"/> naming every provider
    /// still unreachable when the bound has passed (with the fix), or the first error that waiting cannot mend.
    /// </summary>
    public async Task WaitAsync(IReadOnlyList<LoadgenProviderProbe> providers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(providers);
        long start = _time.GetTimestamp();

        // An error waiting cannot mend ends the others' waits too: the run will not start anyway.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task<(LoadgenProviderProbe, string)?> WaitOrStopAllAsync(LoadgenProviderProbe provider)
        {
            try
            {
                return await WaitForAsync(provider, start, stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        // Faults win over the cancellations they caused: awaiting all throws the first error.
        (LoadgenProviderProbe Provider, string Reason)?[] outcomes = await Task.WhenAll(providers.Select(WaitOrStopAllAsync)).ConfigureAwait(false);
        (LoadgenProviderProbe Provider, string Reason)[] unreachable = [.. outcomes.OfType<(LoadgenProviderProbe, string)>()];
        if (unreachable.Length == 0)
        {
            return;
        }

        string which = string.Join(", ", unreachable.Select(u => $"{u.Provider.Name} at {u.Provider.Address} ({u.Reason})"));
        throw new ClientException(_bound == TimeSpan.Zero
            ? $"provider unreachable: {which}. Start the network first (mixnode testnet, docs/testnet.md), or let loadgen wait for it with --wait SECONDS"
            : string.Create(CultureInfo.InvariantCulture,
                $"provider still unreachable after waiting {_bound.TotalSeconds:0.###} s: {which}. Is the network running (mixnode testnet, docs/testnet.md) and is this its topology? A network that starts slowly needs a longer --wait"));
    }

    /// <summary>Whether waiting may mend this: the TCP connect failed (refused, unreachable) or timed out; not a handshake or key problem.</summary>
    public static bool IsUnreachable(Exception e) =>
        e is ClientException { InnerException: SocketException or OperationCanceledException };

    /// <summary>The cause in a few words, for the "waiting for" line.</summary>
    public static string Reason(Exception e) => e.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException { SocketErrorCode: SocketError.HostUnreachable or SocketError.NetworkUnreachable } => "no route to it",
        SocketException s => s.Message.ToLowerInvariant(),
        OperationCanceledException => "no answer",
        _ => e.Message,
    };

    /// <summary>Null once connected; the provider and why it is unreachable when the bound passed.</summary>
    private async Task<(LoadgenProviderProbe Provider, string Reason)?> WaitForAsync(LoadgenProviderProbe provider, long start, CancellationToken cancellationToken)
    {
        TimeSpan backoff = s_firstBackoff;
        string? reason = null;
        while (true)
        {
            // A try that hangs (a host that drops SYNs) is cut off at the bound rather than at its own connect timeout.
            // Once the bound is reached (at once for --wait 0) the last try gets that timeout.
            TimeSpan left = _bound - _time.GetElapsedTime(start);
            using var deadline = left > TimeSpan.Zero ? new CancellationTokenSource(left, _time) : new CancellationTokenSource();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                await provider.ConnectAsync(attempt.Token).ConfigureAwait(false);
                if (reason is not null)
                {
                    Write(string.Create(CultureInfo.InvariantCulture, $"provider {provider.Name} is up after {_time.GetElapsedTime(start).TotalSeconds:F1} s"));
                }

                return null;
            }
            catch (Exception e) when (IsUnreachable(e))
            {
                if (reason is null && _time.GetElapsedTime(start) < _bound)
                {
                    Write($"waiting for provider {provider.Name} at {provider.Address} ({Reason(e)})…");
                }

                reason = Reason(e);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (provider, reason ?? "no answer");
            }

            left = _bound - _time.GetElapsedTime(start);
            if (left <= TimeSpan.Zero)
            {
                return (provider, reason);
            }

            await Task.Delay(backoff < left ? backoff : left, _time, cancellationToken).ConfigureAwait(false);
            backoff = backoff * 2 < s_longestBackoff ? backoff * 2 : s_longestBackoff;
        }
    }

    private void Write(string line)
    {
        lock (_outputLock)
        {
            _output.WriteLine(line);
        }
    }
}
