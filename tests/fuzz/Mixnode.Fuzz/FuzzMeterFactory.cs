using System.Diagnostics.Metrics;

namespace Mixnode.Fuzz;

/// <summary>Meters for one fuzz run, disposed with it: the fuzzer runs millions of inputs in one process, and instruments (with their callbacks) must not pile up.</summary>
internal sealed class FuzzMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Scope = this;
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        _meters.ForEach(m => m.Dispose());
        _meters.Clear();
    }
}
