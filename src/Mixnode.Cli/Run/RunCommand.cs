using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Node.Hosting;
using Mixnode.Node.Keys;
using Mixnode.Node.Topology;

namespace Mixnode.Cli.Run;

/// <summary>
/// <c>mixnode run [--config FILE] [KEY=VALUE…]</c>: runs a node until Ctrl-C / SIGTERM. Configuration, later
/// sources winning: the JSON file (default <c>appsettings.json</c> in the working directory, if present),
/// environment variables (<c>MIXNODE__LISTENADDRESS=…</c> is <c>Mixnode:ListenAddress</c>), then
/// <c>Mixnode:Key=Value</c> arguments. A configuration or key problem stops the start with a message that
/// names the setting or file and the fix (exit 2), never a stack trace.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (section \"Mixnode\"); see config/appsettings.json." };
        var overrides = new Argument<string[]>("SETTING") { Description = "Overrides such as Mixnode:ListenAddress=127.0.0.1:30005.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("run", "Run a mix node until stopped (Ctrl-C or SIGTERM).") { config, overrides };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(config)?.FullName, parse.GetValue(overrides) ?? [], parse.InvocationConfiguration.Error, cancellation));
        return command;
    }

    public static IHost Build(string? configPath, IReadOnlyList<string> overrides, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (configPath is not null)
        {
            if (!File.Exists(configPath))
            {
                throw new ConfigurationFileMissingException($"configuration file '{configPath}' does not exist (give an existing file to --config)");
            }

            builder.Configuration.AddJsonFile(configPath, optional: false, reloadOnChange: false);
        }
        else
        {
            builder.Configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine([.. overrides.Select(o => o.StartsWith("--", StringComparison.Ordinal) ? o : "--" + o)]);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss.fff ";
        });
        configure?.Invoke(builder.Services);
        builder.Services.AddMixnode(builder.Configuration);
        return builder.Build();
    }

    private static async Task<int> RunAsync(string? configPath, string[] overrides, TextWriter error, CancellationToken cancellation)
    {
        try
        {
            using IHost host = Build(configPath, overrides);
            await host.RunAsync(cancellation).ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException e)
        {
            error.WriteLine("mixnode run: the configuration is invalid:");
            foreach (string failure in e.Failures)
            {
                error.WriteLine("  " + failure);
            }

            return 2;
        }
        catch (Exception e) when (e is KeyFileException or TopologyException or IOException or ConfigurationFileMissingException or UnauthorizedAccessException)
        {
            error.WriteLine("mixnode run: " + e.Message);
            return 2;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return 0;
        }
    }
}

/// <summary>The file given to <c>--config</c> is not there.</summary>
internal sealed class ConfigurationFileMissingException : Exception
{
    public ConfigurationFileMissingException(string message)
        : base(message)
    {
    }

    public ConfigurationFileMissingException()
    {
    }

    public ConfigurationFileMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
