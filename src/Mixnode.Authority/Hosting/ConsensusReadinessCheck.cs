using Microsoft.Extensions.Diagnostics.HealthChecks;
using Mixnode.Authority.Engine;

namespace Mixnode.Authority.Hosting;

/// <summary>Ready once the authority holds a document usable now (for this epoch or the previous one, which covers this one).</summary>
internal sealed class ConsensusReadinessCheck(AuthorityEngine engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(engine.HasCurrentConsensus
            ? HealthCheckResult.Healthy("a consensus for the current epoch is held")
            : HealthCheckResult.Unhealthy("no consensus for the current epoch yet"));
}
