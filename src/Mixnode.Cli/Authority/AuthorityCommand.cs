using System.CommandLine;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Hosting;
using Mixnode.Pki;
using Mixnode.Sphinx;
using NSec.Cryptography;

namespace Mixnode.Cli.Authority;

/// <summary>
/// <c>mixnode authority run --config FILE [KEY=VALUE…]</c> runs a voting directory authority until Ctrl-C / SIGTERM;
/// <c>mixnode authority keygen --dir DIR</c> makes its key (<c>authority.key</c> 0600, <c>authority.pub</c>).
/// Configuration problems stop the start with one line naming the setting, exit 2, like <c>mixnode run</c>.
/// docs/authority.md.
/// </summary>
internal static class AuthorityCommand
{
    public const string Name = "authority";

    public static Command Create()
    {
        var command = new Command(Name, "The voting directory authority: run one, or make its key.")
        {
            CreateRun(),
            CreateKeygen(),
        };
        return command;
    }

    private static Command CreateRun()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (section \"Mixnode:Authority\"); see docs/authority.md." };
        var stackTrace = new Option<bool>("--stack-trace") { Description = "On a start-up error, print the exception with its stack trace too." };
        var overrides = new Argument<string[]>("SETTING") { Description = "Overrides such as Mixnode:Authority:ListenAddress=127.0.0.1:31000.", Arity = ArgumentArity.ZeroOrMore };
        var run = new Command("run", "Run a directory authority until stopped (Ctrl-C or SIGTERM).") { config, stackTrace, overrides };
        run.SetAction((parse, cancellation) => RunAsync(parse.GetValue(config)?.FullName, parse.GetValue(overrides) ?? [], parse.GetValue(stackTrace), parse.InvocationConfiguration.Error, cancellation));
        return run;
    }

    private static Command CreateKeygen()
    {
        var dir = new Option<string>("--dir") { Description = "The authority's key directory (created 0700 if missing).", Required = true };
        var keygen = new Command("keygen", "Create the authority's Ed25519 key (authority.key, 0600) and authority.pub, or print the public key of the existing one.") { dir };
        keygen.SetAction(parse => Keygen(parse.GetValue(dir)!, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return keygen;
    }

    /// <summary>Keeps an existing key (an authority's key is its identity in every authorities file); prints the public key in base64.</summary>
    public static int Keygen(string directory, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (!Directory.Exists(directory))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(directory);
                }
                else
                {
                    Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            string privatePath = Path.Combine(directory, AuthoritySettings.KeyFileName);
            using Key key = File.Exists(privatePath)
                ? KeyFile.ReadEd25519(privatePath)
                : Key.Create(SignatureAlgorithm.Ed25519, KeyFile.Ed25519ExportableParameters);
            if (!File.Exists(privatePath))
            {
                KeyFile.WriteEd25519(privatePath, key);
            }

            byte[] publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            KeyFile.WritePublic(Path.Combine(directory, AuthoritySettings.PublicKeyFileName), KeyType.Ed25519, publicKey);
            output.WriteLine(Convert.ToBase64String(publicKey));
            return 0;
        }
        catch (Exception e) when (e is KeyFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine("mixnode authority keygen: " + e.Message);
            return 2;
        }
    }

    private static async Task<int> RunAsync(string? configPath, string[] overrides, bool stackTraces, TextWriter error, CancellationToken cancellation)
    {
        WebApplication? host = null;
        try
        {
            host = AuthorityHost.Build(configPath, overrides);
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            return ReportStartFailure(e, stackTraces, error);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            if (host is not null)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }

            return 0;
        }

        await using (host)
        {
            await host.WaitForShutdownAsync(cancellation).ConfigureAwait(false);
        }

        return 0;
    }

    private static int ReportStartFailure(Exception e, bool stackTraces, TextWriter error)
    {
        if (e is OptionsValidationException invalid)
        {
            error.WriteLine("mixnode authority run: the configuration is invalid:");
            foreach (string failure in invalid.Failures)
            {
                error.WriteLine("  " + failure);
            }
        }
        else
        {
            error.WriteLine("mixnode authority run: " + e switch
            {
                SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => "Mixnode:Authority:ListenAddress (or Management:ListenAddress) is already in use: stop what uses it or choose another port",
                IOException io when io.Message.StartsWith("Failed to bind", StringComparison.Ordinal) => $"cannot listen ({io.Message.TrimEnd('.')}): choose another Mixnode:Authority:ListenAddress or Management:ListenAddress",
                KeyFileException or TopologyException or FileNotFoundException or IOException or UnauthorizedAccessException => e.Message,
                _ => $"the authority failed to start: {e.Message}",
            });
        }

        if (stackTraces)
        {
            error.WriteLine(e.ToString());
        }

        return 2;
    }
}
