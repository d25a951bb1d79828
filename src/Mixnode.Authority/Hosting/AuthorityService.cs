using Microsoft.Extensions.Hosting;
using Mixnode.Authority.Engine;

namespace Mixnode.Authority.Hosting;

/// <summary>Starts the engine's timer with the host and stops it with the host.</summary>
internal sealed class AuthorityService(AuthorityEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        engine.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        engine.Dispose();
        return Task.CompletedTask;
    }
}
