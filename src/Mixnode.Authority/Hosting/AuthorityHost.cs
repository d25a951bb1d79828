using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mixnode.Authority.Configuration;
using Mixnode.Authority.Engine;
using Mixnode.Authority.Telemetry;
using Mixnode.Authority.Transport;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Mixnode.Authority.Hosting;

/// <summary>
/// Builds the authority's process: configuration (JSON file, <c>MIXNODE__AUTHORITY__…</c> environment variables,
/// <c>Mixnode:Authority:Key=Value</c> overrides), the options checked before anything else, the key and files
/// loaded, one Kestrel instance serving the API on <c>ListenAddress</c> and, when configured, the management
/// endpoint (<c>/metrics</c>, <c>/health/live</c>, <c>/health/ready</c>) on a second, loopback port — each path
/// answers on its own port only. Throws <see cref="OptionsValidationException"/>, <c>KeyFileException</c> or
/// <c>TopologyException</c> with a message naming the setting or file.
/// </summary>
internal static class AuthorityHost
{
    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static IConfigurationRoot ReadConfiguration(string? configPath, IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var configuration = new ConfigurationBuilder();
        if (configPath is not null)
        {
            if (!File.Exists(configPath))
            {
                throw new FileNotFoundException($"configuration file '{configPath}' does not exist (give an existing file to --config)");
            }

            configuration.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
        }

        configuration.AddEnvironmentVariables();
        configuration.AddCommandLine([.. overrides.Select(o => o.StartsWith("--", StringComparison.Ordinal) ? o : "--" + o)]);
        return configuration.Build();
    }

    /// <summary>The options from <paramref name="configuration"/>, checked; throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static AuthorityOptions BindOptions(IConfiguration configuration)
    {
        var options = new AuthorityOptions();
        try
        {
            configuration.GetSection(AuthorityOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(AuthorityOptions.Section, typeof(AuthorityOptions), [$"{AuthorityOptions.Section}: {e.Message}"]);
        }

        ValidateOptionsResult result = new AuthorityOptionsValidator().Validate(null, options);
        return result.Failed ? throw new OptionsValidationException(AuthorityOptions.Section, typeof(AuthorityOptions), result.Failures) : options;
    }

    public static WebApplication Build(string? configPath, IReadOnlyList<string> overrides, TimeProvider? time = null, Action<ILoggingBuilder>? logging = null)
    {
        IConfigurationRoot configuration = ReadConfiguration(configPath, overrides);
        AuthorityOptions options = BindOptions(configuration);
        AuthoritySettings settings = AuthoritySettings.Load(options);
        AuthorityOptionsValidator.TryParseEndPoint(options.ListenAddress, out IPEndPoint? api);
        IPEndPoint? management = null;
        if (options.Management.ListenAddress.Length > 0)
        {
            AuthorityOptionsValidator.TryParseEndPoint(options.Management.ListenAddress, out management);
        }

        WebApplicationBuilder web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "mixnode-authority" });
        web.Configuration.AddConfiguration(configuration);
        web.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        web.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        web.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        web.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        web.Logging.AddConfiguration(configuration.GetSection("Logging"));
        if (logging is null)
        {
            web.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        else
        {
            logging(web.Logging);
        }

        web.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(api!);
            if (management is not null)
            {
                kestrel.Listen(management);
            }

            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = Pki.SignedEnvelope.MaxLength;
            kestrel.Limits.MaxConcurrentConnections = 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        });
        web.Services.AddRoutingCore();
        web.Services.AddSingleton<IValidateOptions<AuthorityOptions>, AuthorityOptionsValidator>();
        web.Services.AddOptions<AuthorityOptions>().Bind(configuration.GetSection(AuthorityOptions.Section)).ValidateOnStart();
        web.Services.AddMetrics();
        web.Services.AddSingleton(settings);
        web.Services.AddSingleton(time ?? TimeProvider.System);
        web.Services.AddSingleton(sp => new AuthorityMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        web.Services.AddSingleton<IPeerTransport>(_ => new HttpPeerTransport(settings.Authorities, TimeSpan.FromSeconds(2)));
        web.Services.AddSingleton(sp => new AuthorityEngine(
            settings,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IPeerTransport>(),
            sp.GetRequiredService<AuthorityMetrics>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Mixnode.Authority")));
        web.Services.AddHostedService<AuthorityService>();
        web.Services.AddHealthChecks().AddCheck<ConsensusReadinessCheck>("consensus", tags: ["ready"]);
        if (management is not null)
        {
            web.Services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.Clear().AddService("mixnode-authority", autoGenerateServiceInstanceId: false))
                .WithMetrics(metrics => metrics.AddMeter(AuthorityMetrics.MeterName).AddPrometheusExporter());
        }

        WebApplication app = web.Build();
        int managementPort = management?.Port ?? -1;
        app.Use((context, next) =>
        {
            // Each path on its own port: the management endpoint is not part of the public API, and the API is not on the loopback port.
            bool managementPath = context.Request.Path.StartsWithSegments(MetricsPath) || context.Request.Path.StartsWithSegments("/health");
            bool onManagementPort = context.Connection.LocalPort == managementPort;
            if (managementPath != onManagementPort)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
        AuthorityEngine engine = app.Services.GetRequiredService<AuthorityEngine>();
        AuthorityApi.Map(app, engine);
        if (management is not null)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath);
            app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
            app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("ready") });
        }

        return app;
    }
}
