using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixnode.Node.Hosting;

namespace Mixnode.Node.Management;

/// <summary>
/// The operator's HTTP endpoint, on its own address (loopback unless configured), apart from the link listeners:
/// <c>/metrics</c> (Prometheus text from the OpenTelemetry exporter), <c>/health/live</c> (the process serves) and
/// <c>/health/ready</c> (every <see cref="ReadinessCondition"/> holds). Anything else is 404.
/// </summary>
public static class ManagementEndpoint
{
    public const string MetricsPath = "/metrics";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";

    /// <summary>Kestrel on <paramref name="endPoint"/> only, with small limits (a handful of scrapers, no bodies), and the checks.</summary>
    public static void AddManagementEndpoint(this WebApplicationBuilder builder, IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endPoint);
            kestrel.AddServerHeader = false;
            // Scrapers and probes are few; a flood of connections or a slow-loris scraper stays bounded and is cut off.
            kestrel.Limits.MaxConcurrentConnections = 64;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
        });
        builder.Services.AddRoutingCore();
        IHealthChecksBuilder checks = builder.Services.AddHealthChecks();
        foreach (ReadinessCondition condition in Enum.GetValues<ReadinessCondition>())
        {
            checks.Add(new HealthCheckRegistration(
                condition.ToName(),
                services => new ReadinessCheck(services.GetRequiredService<NodeService>(), condition),
                HealthStatus.Unhealthy,
                [ReadyTag]));
        }
    }

    public static void MapManagementEndpoint(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        // Live: answering at all is the test (no checks), so a busy or degraded node is not restarted for it.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(ReadyTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        });
    }
}
