using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Cli.Bench;

/// <summary>
/// <c>mixnode bench [--seconds S] [--json]</c>: unwrap throughput of the default geometry (5 hops, 3082
/// bytes) on one thread, next to raw X25519 ops/s measured in the same process, on all cores, and in batches of
/// eight on one thread (the eight-lane X25519 when the CPU has AVX-512 IFMA).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var seconds = new Option<double>("--seconds")
        {
            Description = "Seconds for each of the three measurements (after a short warm-up).",
            DefaultValueFactory = _ => 3,
        };
        var json = new Option<bool>("--json") { Description = "End with one JSON line: unwrap_per_sec, x25519_per_sec, unwrap_per_sec_all_cores, unwrap_per_sec_batched, cores." };
        var command = new Command("bench", "Measure Sphinx unwrap throughput next to the raw X25519 baseline.") { seconds, json };
        command.SetAction(parse =>
        {
            double s = parse.GetValue(seconds);
            if (!(s > 0 && s <= 3600))
            {
                parse.InvocationConfiguration.Error.WriteLine($"--seconds must be more than 0 and at most 3600, got {s.ToString(CultureInfo.InvariantCulture)}");
                return 2;
            }

            BenchReport report = Measure(TimeSpan.FromSeconds(s), parse.InvocationConfiguration.Output);
            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(report));
            }

            return 0;
        });
        return command;
    }

    public static BenchReport Measure(TimeSpan duration, TextWriter output)
    {
        SphinxGeometry geometry = SphinxGeometry.Default;
        int cores = Environment.ProcessorCount;
        using var bench = new BenchPacket(geometry);
        output.WriteLine($"{geometry}; X25519 backend: {X25519.BackendName}, batches: {SphinxUnwrapper.BatchStatus}; AEZ {(Aez.IsHardwareAccelerated ? "AES-NI" : "portable")}; {cores} cores");

        double x25519 = ThroughputMeter.X25519PerSecond(duration);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  X25519 (1 thread):    {x25519,10:N0} ops/s   ({1e6 / x25519:F1} µs)"));
        double unwrap = ThroughputMeter.UnwrapsPerSecond(bench, duration, 1);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unwrap (1 thread):    {unwrap,10:N0} /s      ({1e6 / unwrap:F1} µs; {unwrap / (x25519 / 2):P0} of the 2×X25519 floor)"));
        double allCores = ThroughputMeter.UnwrapsPerSecond(bench, duration, cores);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unwrap ({cores} threads):   {allCores,10:N0} /s"));
        double batched = ThroughputMeter.BatchUnwrapsPerSecond(bench, duration);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unwrap, batches of {SphinxUnwrapper.MaxBatch} (1 thread): {batched,10:N0} /s ({1e6 / batched:F1} µs per packet; {batched / unwrap:F2}× one at a time)"));
        return new BenchReport(Math.Round(unwrap, 1), Math.Round(x25519, 1), Math.Round(allCores, 1), cores, X25519.BackendName, geometry.PacketLength)
        {
            UnwrapPerSecondBatched = Math.Round(batched, 1),
            BatchStatus = SphinxUnwrapper.BatchStatus,
        };
    }
}
