using System.Diagnostics.Metrics;
using Mixnode.Node.Telemetry;

namespace Mixnode.Node.Tests.Support;

/// <summary>
/// An <see cref="IMeterFactory"/> whose meters belong to one test: collectors built on <see cref="NodeMetrics.Meter"/>
/// see only that test's measurements even while other tests record on meters of the same name.
/// </summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public static NodeMetrics NewMetrics(out TestMeterFactory factory)
    {
        factory = new TestMeterFactory();
        return new NodeMetrics(factory);
    }

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Scope = this;
        var meter = new Meter(options);
        lock (_meters)
        {
            _meters.Add(meter);
        }

        return meter;
    }

    public void Dispose()
    {
        lock (_meters)
        {
            _meters.ForEach(m => m.Dispose());
            _meters.Clear();
        }
    }
}
