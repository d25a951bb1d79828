using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Node;
using Mixnode.Node.Hosting;
using Mixnode.Pki;
using Mixnode.Node.Keys;
using Mixnode.Node.Management;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Topology;

namespace Mixnode.Cli.Run;

/// <summary>
/// <c>mixnode run [--config FILE] [KEY=VALUE…]</c>: runs a node until Ctrl-C / SIGTERM. Configuration, later
/// sources winning: the JSON file (default <c>appsettings.json</c> in the working directory, if present),
/// environment variables (<c>MIXNODE__LISTENADDRESS=…</c> is <c>Mixnode:ListenAddress</c>), then
/// <c>Mixnode:Key=Value</c> arguments. Every start-up problem (configuration, keys, network document, an address in
/// use) stops the start with one message that names the setting or file and the fix, exit 2, before anything
/// listens; <c>--stack-trace</c> adds the exception's details.
/// </summary>
internal static class RunCommand
{
    public const string Name = "run";

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = "JSON configuration file (section \"Mixnode\"); see config/appsettings.json." };
        var stackTrace = new Option<bool>("--stack-trace") { Description = "On a start-up error, print the exception with its stack trace too." };
        var overrides = new Argument<string[]>("SETTING") { Description = "Overrides such as Mixnode:ListenAddress=127.0.0.1:30005.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(Name, "Run a mix node until stopped (Ctrl-C or SIGTERM: it drains within Mixnode:ShutdownTimeout).") { config, stackTrace, overrides };
        command.SetAction((parse, cancellation) => RunAsync(parse.GetValue(config)?.FullName, parse.GetValue(overrides) ?? [], parse.GetValue(stackTrace), parse.InvocationConfiguration.Error, cancellation));
        return command;
    }

    /// <summary>
    /// The node's host: a minimal ASP.NET Core application when the management endpoint is on (Kestrel on that address
    /// only), a plain Generic Host when it is off. Throws <see cref="OptionsValidationException"/> for any invalid
    /// setting, before anything binds.
    /// </summary>
    public static IHost Build(string? configPath, IReadOnlyList<string> overrides, Action<IServiceCollection>? configure = null, bool stackTraces = false)
    {
        IConfigurationRoot configuration = ReadConfiguration(configPath, overrides);
        NodeOptions options = StartupConfiguration.Bind(configuration);
        string management = options.Management.ListenAddress;
        IPEndPoint? managementEndPoint = null;
        if (management.Length > 0)
        {
            NodeOptionsValidator.TryParseManagementEndPoint(management, out IPEndPoint endPoint);
            managementEndPoint = endPoint;
        }

        if (managementEndPoint is not null)
        {
            WebApplicationBuilder web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "mixnode" });
            Configure(web, configuration, options, configure, stackTraces);
            web.AddManagementEndpoint(managementEndPoint);
            WebApplication app = web.Build();
            app.MapManagementEndpoint();
            return app;
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        Configure(builder, configuration, options, configure, stackTraces);
        return builder.Build();
    }

    private static IConfigurationRoot ReadConfiguration(string? configPath, IReadOnlyList<string> overrides)
    {
        var configuration = new ConfigurationBuilder();
        if (configPath is not null)
        {
            if (!File.Exists(configPath))
            {
                throw new ConfigurationFileMissingException($"configuration file '{configPath}' does not exist (give an existing file to --config)");
            }

            configuration.AddJsonFile(configPath, optional: false, reloadOnChange: false);
        }
        else
        {
            configuration.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true, reloadOnChange: false);
        }

        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine([.. overrides.Select(o => o.StartsWith("--", StringComparison.Ordinal) ? o : "--" + o)]);
        return configuration.Build();
    }

    private static void Configure(IHostApplicationBuilder builder, IConfiguration configuration, NodeOptions options, Action<IServiceCollection>? configure, bool stackTraces)
    {
        builder.Configuration.AddConfiguration(configuration);
        ILoggingBuilder logging = builder.Logging;
        // Code rules registered before the configuration's let an operator's Logging:LogLevel override them.
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // Every probe of a node that is not ready yet would log an error line per failing check.
        logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (!stackTraces)
        {
            // A failed start is reported by RunAsync in one line; the host would log it again with the stack trace.
            logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        }

        if (options.SafeLogging)
        {
            // Registered last, so no Logging:LogLevel setting can lower it below Information: Kestrel's Debug lines
            // name remote endpoints.
            LogLevel configured = Enum.TryParse(configuration["Logging:LogLevel:Microsoft.AspNetCore"], ignoreCase: true, out LogLevel level) ? level : LogLevel.Warning;
            LogLevel floor = configured > LogLevel.Information ? configured : LogLevel.Information;
            logging.AddFilter("Microsoft.AspNetCore", floor);
        }

        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        // Under systemd: Type=notify readiness, stop on SIGTERM, journal-friendly logs; without it, nothing changes.
        builder.Services.AddSystemd();
        bool prometheus = options.Management.ListenAddress.Length > 0;
        if (prometheus || options.Telemetry.OtlpEndpoint.Length > 0)
        {
            // Only with somewhere to send them: the SDK would otherwise still turn every instrument on, at a cost.
            builder.Services.AddMixnodeTelemetry(options.Telemetry, prometheus);
        }
        configure?.Invoke(builder.Services);
        builder.Services.AddMixnode(builder.Configuration);
    }

    private static async Task<int> RunAsync(string? configPath, string[] overrides, bool stackTraces, TextWriter error, CancellationToken cancellation)
    {
        IHost? host = null;
        try
        {
            host = Build(configPath, overrides, stackTraces: stackTraces);
            await host.StartAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await StopQuietlyAsync(host).ConfigureAwait(false);
            return ReportStartFailure(e, stackTraces, error);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await StopQuietlyAsync(host).ConfigureAwait(false);
            return 0;
        }

        using (host)
        {
            // Ctrl-C and SIGTERM reach the host's lifetime, which stops the node (it drains within ShutdownTimeout).
            await host.WaitForShutdownAsync(cancellation).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>After a failed start: stops what did start (listeners, timers) and releases it, whatever else fails.</summary>
    private static async Task StopQuietlyAsync(IHost? host)
    {
        if (host is null)
        {
            return;
        }

        try
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Already failing: the start's error is the one to report.
        }

        host.Dispose();
    }

    /// <summary>One message naming what to fix, exit 2; the stack trace only when asked for.</summary>
    private static int ReportStartFailure(Exception e, bool stackTraces, TextWriter error)
    {
        if (e is OptionsValidationException invalid)
        {
            error.WriteLine("mixnode run: the configuration is invalid:");
            foreach (string failure in invalid.Failures)
            {
                error.WriteLine("  " + failure);
            }
        }
        else
        {
            error.WriteLine("mixnode run: " + Describe(e));
        }

        if (stackTraces)
        {
            error.WriteLine(e.ToString());
        }
        else if (e is not (OptionsValidationException or KeyFileException or TopologyException or ConfigurationFileMissingException))
        {
            error.WriteLine("  (run again with --stack-trace for the details)");
        }

        return 2;
    }

    private static string Describe(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } =>
            "a link listen address is already in use (Mixnode:ListenAddress or Mixnode:ClientListenAddress): stop what uses it or choose another port",
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable } =>
            "a link listen address is not an address of this machine (Mixnode:ListenAddress or Mixnode:ClientListenAddress): use one of its addresses or 0.0.0.0",
        IOException io when io.Message.StartsWith("Failed to bind", StringComparison.Ordinal) =>
            $"the management endpoint cannot bind ({io.Message.TrimEnd('.')}): choose another Mixnode:Management:ListenAddress, or leave it empty to turn the endpoint off",
        KeyFileException or TopologyException or ConfigurationFileMissingException or IOException or UnauthorizedAccessException => e.Message,
        _ => $"the node failed to start: {e.Message}",
    };
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
