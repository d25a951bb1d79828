using System.Diagnostics.Metrics;

namespace Mixnode.Benchmarks.Mixing;

/// <summary>Meters with no listener, as on a node nobody scrapes: instruments stay disabled and cost next to nothing.</summary>
internal sealed class PlainMeterFactory : IMeterFactory
{
    public Meter Create(MeterOptions options) => new(options);

    public void Dispose()
    {
    }
}
