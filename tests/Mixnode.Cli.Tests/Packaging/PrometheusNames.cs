using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Mixnode.Authority.Telemetry;
using Mixnode.Node.Telemetry;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// The names a Prometheus scrape of a node shows for an instrument, by the rules of the OpenTelemetry Prometheus
/// exporter the node uses (OpenTelemetry.Exporter.Prometheus.AspNetCore): characters other than letters, digits and
/// ':' become '_' (runs of them one '_'); the unit, with its <c>{…}</c> annotations removed and abbreviations spelled
/// out (<c>s</c> → <c>seconds</c>, <c>By</c> → <c>bytes</c>), is appended unless the name already contains it;
/// monotonic sums (counters) end in <c>_total</c>; a gauge (also an up-down counter) with unit <c>1</c> ends in
/// <c>_ratio</c> unless its name has "ratio" in it; a histogram is its <c>_bucket</c>, <c>_sum</c> and <c>_count</c> series.
/// </summary>
internal static class PrometheusNames
{
    public enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    /// <summary>Every series name of one instrument.</summary>
    public static IReadOnlyList<string> For(string instrumentName, string? unit, Kind kind)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);
        string name = Sanitize(instrumentName);
        if (!string.IsNullOrEmpty(unit))
        {
            string suffix = UnitSuffix(unit);
            if (!name.Contains(suffix, StringComparison.Ordinal))
            {
                name = name + "_" + suffix;
            }
        }

        if (kind == Kind.Counter && !name.EndsWith("_total", StringComparison.Ordinal))
        {
            name += "_total";
        }

        if (kind == Kind.Gauge && unit == "1" && !name.Contains("ratio", StringComparison.Ordinal))
        {
            name += "_ratio";
        }

        return kind == Kind.Histogram ? [name + "_bucket", name + "_sum", name + "_count"] : [name];
    }

    /// <summary>Every series name of one instrument, its kind taken from its type.</summary>
    public static IReadOnlyList<string> For(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        return For(instrument.Name, instrument.Unit, KindOf(instrument));
    }

    public static Kind KindOf(Instrument instrument)
    {
        ArgumentNullException.ThrowIfNull(instrument);
        Type type = instrument.GetType();
        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>))
        {
            return Kind.Counter;
        }

        if (definition == typeof(Histogram<>))
        {
            return Kind.Histogram;
        }

        if (definition == typeof(UpDownCounter<>) || definition == typeof(ObservableUpDownCounter<>)
            || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
        {
            return Kind.Gauge;
        }

        throw new NotSupportedException($"instrument {instrument.Name} is a {type.Name}, which the mapping does not know");
    }

    /// <summary>
    /// The instruments of the node's meter <c>Mixnode</c>, from real ones as the node creates them: <see cref="NodeMetrics"/>
    /// and the consensus follower's <c>ConsensusMetrics</c> (internal to the node, made through reflection), which the
    /// node's meter factory puts on the same meter.
    /// </summary>
    public static IReadOnlyList<Instrument> NodeInstruments()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new NodeMetrics(factory);
        Type consensus = typeof(NodeMetrics).Assembly.GetType("Mixnode.Node.Topology.ConsensusMetrics", throwOnError: true)!;
        _ = Activator.CreateInstance(consensus, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [factory], null);
        return InstrumentsOf(metrics.Meter);
    }

    /// <summary>The instruments of a directory authority's meter (<see cref="AuthorityMetrics.MeterName"/>), from a real <see cref="AuthorityMetrics"/>.</summary>
    public static IReadOnlyList<Instrument> AuthorityInstruments()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory factory = services.GetRequiredService<IMeterFactory>();
        _ = new AuthorityMetrics(factory);
        return InstrumentsOf(factory.Create(AuthorityMetrics.MeterName));
    }

    /// <summary>Every series name a directory authority's own meter gives a scrape.</summary>
    public static IReadOnlySet<string> AuthoritySeriesNames() =>
        AuthorityInstruments().SelectMany(For).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every series name the node's own meter gives a scrape.</summary>
    public static IReadOnlySet<string> NodeSeriesNames() =>
        NodeInstruments().SelectMany(For).ToHashSet(StringComparer.Ordinal);

    /// <summary>The instruments of one meter object, as a <see cref="MeterListener"/> is told of them.</summary>
    public static IReadOnlyList<Instrument> InstrumentsOf(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var found = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    lock (found)
                    {
                        found.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        lock (found)
        {
            return [.. found];
        }
    }

    /// <summary>The instruments of every meter of that name in this process (for meters the runtime creates itself).</summary>
    public static IReadOnlyList<Instrument> InstrumentsOf(string meterName)
    {
        var found = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == meterName)
                {
                    lock (found)
                    {
                        found.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        lock (found)
        {
            return [.. found];
        }
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        bool lastUnderscore = false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (i == 0 && char.IsAsciiDigit(c))
            {
                builder.Append('_');
                lastUnderscore = true;
            }
            else if (!char.IsAsciiLetterOrDigit(c) && c != ':')
            {
                if (!lastUnderscore)
                {
                    builder.Append('_');
                    lastUnderscore = true;
                }
            }
            else
            {
                builder.Append(c);
                lastUnderscore = false;
            }
        }

        return builder.ToString();
    }

    private static string UnitSuffix(string unit)
    {
        // Annotations ({packet}) say what is counted; Prometheus has no unit for "a count of things".
        var stripped = new StringBuilder();
        int depth = 0;
        foreach (char c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                stripped.Append(c);
            }
        }

        string bare = stripped.ToString();
        int slash = bare.IndexOf('/', StringComparison.Ordinal);
        return slash >= 0 && slash < bare.Length - 1
            ? MapUnit(bare[..slash]) + "_per_" + MapPerUnit(bare[(slash + 1)..])
            : MapUnit(bare);
    }

    private static string MapUnit(string unit) => unit switch
    {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" or "B" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "TiBy" => "tibibytes",
        "KBy" or "KB" => "kilobytes",
        "MBy" or "MB" => "megabytes",
        "GBy" or "GB" => "gigabytes",
        "TBy" or "TB" => "terabytes",
        "m" => "meters",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "Hz" => "hertz",
        "1" => "",
        "%" => "percent",
        "$" => "dollars",
        _ => unit,
    };

    private static string MapPerUnit(string unit) => unit switch
    {
        "s" => "second",
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        "mo" => "month",
        "y" => "year",
        _ => unit,
    };
}
