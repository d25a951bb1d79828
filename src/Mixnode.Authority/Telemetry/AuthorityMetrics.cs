using System.Diagnostics.Metrics;
using Mixnode.Authority.Protocol;
using Mixnode.Pki;

namespace Mixnode.Authority.Telemetry;

/// <summary>
/// The authority's instruments (meter <c>Mixnode.Authority</c>). Tags come from closed sets only — a
/// <see cref="PkiRefusal"/> tag, a message kind, a <see cref="ConsensusFailure"/> tag, a source — never a node's
/// or authority's name, key or address.
/// </summary>
internal sealed class AuthorityMetrics : IDisposable
{
    public const string MeterName = "Mixnode.Authority";

    private readonly Meter _meter;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _published;
    private readonly Counter<long> _failed;
    private long _latestEpoch = long.MinValue;

    public AuthorityMetrics(IMeterFactory? factory = null)
    {
        _meter = factory?.Create(MeterName) ?? new Meter(MeterName);
        _refused = _meter.CreateCounter<long>("mixnode.authority.refused", description: "Descriptors, votes, reveals, certificates and documents refused, by reason and kind.");
        _accepted = _meter.CreateCounter<long>("mixnode.authority.accepted", description: "Descriptors and authority messages accepted, by kind.");
        _published = _meter.CreateCounter<long>("mixnode.authority.consensus.published", description: "Documents published, by source (computed here or fetched from a peer).");
        _failed = _meter.CreateCounter<long>("mixnode.authority.consensus.failed", description: "Rounds that could not make a document, by reason.");
        _meter.CreateObservableGauge<long>("mixnode.authority.consensus.epoch", () => Interlocked.Read(ref _latestEpoch) == long.MinValue ? Array.Empty<Measurement<long>>() : [new Measurement<long>(Interlocked.Read(ref _latestEpoch))], description: "Epoch of the newest document held.");
    }

    /// <summary>Kinds: descriptor, vote, reveal, certificate, document.</summary>
    public void Refused(PkiRefusal reason, string kind) =>
        _refused.Add(1, new KeyValuePair<string, object?>("reason", reason.ToTag()), new KeyValuePair<string, object?>("kind", kind));

    public void Accepted(string kind) => _accepted.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>Sources: computed, fetched.</summary>
    public void Published(long epoch, string source)
    {
        _published.Add(1, new KeyValuePair<string, object?>("source", source));
        long seen;
        while ((seen = Interlocked.Read(ref _latestEpoch)) < epoch && Interlocked.CompareExchange(ref _latestEpoch, epoch, seen) != seen)
        {
        }
    }

    public void Failed(ConsensusFailure reason) => _failed.Add(1, new KeyValuePair<string, object?>("reason", reason.ToTag()));

    public void Dispose() => _meter.Dispose();
}
