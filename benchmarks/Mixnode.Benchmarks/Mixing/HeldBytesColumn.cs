using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Mixnode.Benchmarks.Mixing;

/// <summary>
/// The "Held B/packet" column of <see cref="MixerBenchmarks"/>: <see cref="MixerFootprint"/> for the benchmark's
/// strategy, measured once per strategy in the host process (a Release build, like the benchmark's own).
/// </summary>
internal sealed class HeldBytesColumn : IColumn
{
    private readonly Dictionary<bool, double> _measured = [];

    public string Id => nameof(HeldBytesColumn);

    public string ColumnName => "Held B/packet";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Size;

    public string Legend => $"Heap a mixer holds per packet beyond its buffer, filled with {MixerBenchmarks.Held:N0} packets sharing one buffer";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        bool pool = benchmarkCase.Descriptor.WorkloadMethod.Name.StartsWith("Pool", StringComparison.Ordinal);
        lock (_measured)
        {
            if (!_measured.TryGetValue(pool, out double bytes))
            {
                bytes = MixerFootprint.BytesPerHeldPacket(pool);
                _measured[pool] = bytes;
            }

            return bytes.ToString("F1", CultureInfo.InvariantCulture);
        }
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
