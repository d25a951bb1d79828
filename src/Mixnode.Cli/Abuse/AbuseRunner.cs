using System.Globalization;
using Mixnode.Cli.Topology;
using Mixnode.Client;
using Mixnode.Client.Consensus;
using Mixnode.Node.Keys;
using Mixnode.Pki;
using Mixnode.Sphinx;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// One <c>mixnode abuse</c> run: load the network (a signed topology or the authorities' consensus), refuse targets
/// off this machine unless --allow-remote, prepare the kind, run the paced phase (<see cref="AbuseLoop"/>), finish,
/// close every socket and print one summary line of key=value pairs for scripts:
/// <c>summary kind=… rate=… seconds=… attempts=… succeeded=… refused=… errors=… skipped=… [kind's own]</c>.
/// </summary>
internal sealed class AbuseRunner(AbuseOptions options, TextWriter output, TextWriter error)
{
    /// <summary>Exit code: 0 done (whatever the node did), 1 network or target problem, 2 bad arguments (also a remote target without --allow-remote).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        if (options.Validate() is { } argumentError)
        {
            error.WriteLine(argumentError);
            return 2;
        }

        NetworkTopology topology;
        try
        {
            if (options.AuthoritiesPath is { } path)
            {
                AuthoritySet authorities = ReadAuthorities(path);

                // Checked before any request goes out to them.
                if (!AllLocal(authorities.Authorities.Select(a => a.Address)))
                {
                    return 2;
                }

                topology = await FetchAsync(authorities, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (!TryReadAuthorityKey(out Bytes32? authority))
                {
                    return 2;
                }

                topology = TopologyLoader.Load(options.TopologyPath!, authority, out bool trustedOnFirstUse);
                if (trustedOnFirstUse)
                {
                    error.WriteLine($"warning: no --authority-pub given; trusting the authority key inside {options.TopologyPath} (trust on first use)");
                }
            }

            if (!AllLocal(AbuseTarget.Addresses(topology)))
            {
                return 2;
            }
        }
        catch (ClientException e)
        {
            error.WriteLine($"abuse: {e.Message}");
            return 1;
        }

        IAbuse abuse;
        try
        {
            var target = new AbuseTarget(topology, AbuseTarget.ChooseProvider(topology, options.Provider)) { Sources = new AbuseSources(options.Sources) };
            abuse = Create(target);
        }
        catch (ClientException e)
        {
            error.WriteLine($"abuse: {e.Message}");
            return 1;
        }

        await using (abuse.ConfigureAwait(false))
        {
            long expected = (long)Math.Min(Math.Ceiling(options.Rate * options.DurationSeconds), abuse.MaxAttempts);
            try
            {
                await abuse.PrepareAsync(expected, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                error.WriteLine("abuse: interrupted before the paced phase");
                return 130;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                error.WriteLine($"abuse: preparing {options.Kind.Name()} failed: {e.Message}");
                return 1;
            }

            if (options.StartFile is { } startFile)
            {
                output.WriteLine($"prepared; waiting for {startFile} to exist");
                try
                {
                    while (!File.Exists(startFile))
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    error.WriteLine("abuse: interrupted before the paced phase");
                    return 130;
                }
            }

            var loop = new AbuseLoop(options.Rate, TimeSpan.FromSeconds(options.DurationSeconds), abuse.MaxAttempts, options.Concurrency, TimeProvider.System, output);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.Kind.Name()}: {options.Rate} attempts/s for {options.DurationSeconds} s"));
            long start = Environment.TickCount64;
            await loop.RunAsync(abuse.AttemptAsync, cancellationToken).ConfigureAwait(false);
            double seconds = (Environment.TickCount64 - start) / 1000.0;
            IReadOnlyList<KeyValuePair<string, string>> extra = [];
            try
            {
                extra = await abuse.FinishAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A finish that fails (a victim the provider will not take) is a result too: said, not thrown.
                extra = [new("finish_error", Tag(e.Message))];
            }

            foreach ((string cause, long count) in loop.Counters.Causes())
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count,8} × {cause}"));
            }

            AbuseSnapshot total = loop.Counters.Snapshot();
            string extras = string.Concat(extra.Select(p => $" {p.Key}={p.Value}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"summary kind={options.Kind.Name()} rate={options.Rate} seconds={seconds:F1} attempts={total.Attempts} succeeded={total.Succeeded} refused={total.Refused} errors={total.Errors} skipped={total.Skipped}{extras}"));
        }

        return cancellationToken.IsCancellationRequested ? 130 : 0;
    }

    private IAbuse Create(AbuseTarget target) => options.Kind switch
    {
        AbuseKind.Identities => new IdentitiesAbuse(target, output),
        AbuseKind.Mailboxes => MailboxesAbuse.Create(target, options, output),
        AbuseKind.Victim => new VictimAbuse(target, options, output),
        AbuseKind.LongDelays => LongDelaysAbuse.Create(target, options, output),
        AbuseKind.ClientFlood => ClientFloodAbuse.Create(target, options, output),
        AbuseKind.Handshakes => new HandshakesAbuse(target, options, output),
        AbuseKind.SlowReaders => new SlowReadersAbuse(target, options, output),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    /// <summary>True when every address is on this machine or --allow-remote was given; otherwise says so.</summary>
    private bool AllLocal(IEnumerable<string> addresses)
    {
        IReadOnlyList<string> remote = AbuseTarget.NonLoopback(addresses);
        if (remote.Count == 0 || options.AllowRemote)
        {
            return true;
        }

        error.WriteLine($"abuse: the network has addresses outside 127.0.0.0/8 ({string.Join(", ", remote.Take(3))}{(remote.Count > 3 ? ", …" : string.Empty)}); this tool is for your own nodes: pass --allow-remote to aim at them anyway");
        return false;
    }

    private bool TryReadAuthorityKey(out Bytes32? authority)
    {
        authority = null;
        if (options.AuthorityPublicKey is not { } given)
        {
            return true;
        }

        try
        {
            authority = TopologyCommand.ReadAuthority(given);
            return true;
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"--authority-pub: {e.Message}");
            return false;
        }
    }

    private static AuthoritySet ReadAuthorities(string path)
    {
        try
        {
            return AuthoritySet.Read(path);
        }
        catch (TopologyException e)
        {
            throw new ClientException($"invalid authorities file {path}: {e.Message}", e);
        }
    }

    private static async Task<NetworkTopology> FetchAsync(AuthoritySet authorities, CancellationToken cancellationToken)
    {
        using var source = new DirectoryConsensusSource(authorities);
        return await source.FetchFirstAsync(TimeProvider.System, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A message as one summary value: no spaces or '='.</summary>
    private static string Tag(string message) => string.Concat(message.Select(c => char.IsWhiteSpace(c) || c == '=' ? '_' : c));
}
