using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixnode.Node.Hosting;

namespace Mixnode.Node.Management;

/// <summary>
/// One <see cref="ReadinessCondition"/> as a health check, read from <see cref="NodeService.Status"/>. Results carry no
/// description: the response names checks and states only, so nothing about peers can reach a scraper.
/// </summary>
internal sealed class ReadinessCheck : IHealthCheck
{
    private readonly NodeService _node;
    private readonly ReadinessCondition _condition;

    public ReadinessCheck(NodeService node, ReadinessCondition condition)
    {
        _node = node;
        _condition = condition;
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        NodeStatus status = _node.Status();
        HealthStatus result = _condition switch
        {
            ReadinessCondition.Keys => Pass(status.KeysLoaded),
            ReadinessCondition.Network => Pass(status.NetworkCurrent),
            ReadinessCondition.Listeners => Pass(status.Listening),
            ReadinessCondition.NextLayer => status.NextHopsUp == status.NextHops ? HealthStatus.Healthy
                : status.NextHopsUp > 0 ? HealthStatus.Degraded : HealthStatus.Unhealthy,
            ReadinessCondition.WarmUp => Pass(status.Warm),
            _ => HealthStatus.Unhealthy,
        };
        return Task.FromResult(new HealthCheckResult(result));
    }

    private static HealthStatus Pass(bool condition) => condition ? HealthStatus.Healthy : HealthStatus.Unhealthy;
}
