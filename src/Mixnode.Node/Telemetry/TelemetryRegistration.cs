using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Mixnode.Node.Telemetry;

/// <summary>
/// The node's meters through the OpenTelemetry SDK: the <c>Mixnode</c> meter, the runtime's (GC, thread pool,
/// memory), the Prometheus exporter behind /metrics and, when a collector is configured, OTLP. Metrics only: the node
/// records no traces and no per-packet events.
/// </summary>
public static class TelemetryRegistration
{
    public static IServiceCollection AddMixnodeTelemetry(this IServiceCollection services, TelemetryOptions options, bool prometheus)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddOpenTelemetry()
            // No service.instance.id: the SDK would make up a random one per start, an id a scraper does not need.
            .ConfigureResource(resource => resource.Clear().AddService("mixnode", autoGenerateServiceInstanceId: false))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(NodeMetrics.MeterName);
                if (options.RuntimeMetrics)
                {
                    metrics.AddRuntimeInstrumentation();
                }

                if (prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (options.OtlpEndpoint.Length > 0)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        exporter.Endpoint = new Uri(options.OtlpEndpoint);
                        exporter.Protocol = options.OtlpProtocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.OtlpExportInterval.TotalMilliseconds;
                    });
                }
            });
        return services;
    }
}
