using System.Diagnostics.Metrics;
using Mixnode.Node.Telemetry;
using Mixnode.Pki;

namespace Mixnode.Node.Topology;

/// <summary>
/// The consensus follower's instruments, on the node's meter <c>Mixnode</c>. Tags from closed sets only: the
/// <see cref="PkiRefusal"/> tag of a refused document and the result of an upload — never an authority.
/// </summary>
internal sealed class ConsensusMetrics
{
    public const string UploadAccepted = "accepted";
    public const string UploadRefused = "refused";
    public const string UploadFailed = "failed";

    private readonly Counter<long> _refused;
    private readonly Counter<long> _fetchFailures;
    private readonly Counter<long> _missed;
    private readonly Counter<long> _uploads;
    private readonly KeyValuePair<string, object?>[][] _refusedTags;
    private Func<long?>? _epoch;

    public ConsensusMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(NodeMetrics.MeterName);
        _refused = meter.CreateCounter<long>("mixnode.consensus.refused", "{document}", "Consensus documents refused, by reason.");
        _fetchFailures = meter.CreateCounter<long>("mixnode.consensus.fetch.failures", "{round}", "Rounds of asking every authority for a wanted consensus that brought none.");
        _missed = meter.CreateCounter<long>("mixnode.consensus.missed", "{epoch}", "Epochs that began without their consensus (the previous one stayed in force within its validity window).");
        _uploads = meter.CreateCounter<long>("mixnode.descriptor.uploads", "{upload}", "Descriptor uploads to authorities, by result (accepted, refused, failed: unreachable or timed out).");
        meter.CreateObservableGauge("mixnode.consensus.epoch", ReadEpoch, "{epoch}", "The epoch of the consensus in force.");
        _refusedTags = [.. Enum.GetValues<PkiRefusal>().Select(r => new KeyValuePair<string, object?>[] { new("reason", r.ToTag()) })];
    }

    public void Refused(PkiRefusal reason) => _refused.Add(1, _refusedTags[(int)reason]);

    public void FetchFailed() => _fetchFailures.Add(1);

    public void Missed() => _missed.Add(1);

    /// <summary>One upload's result: <see cref="UploadAccepted"/>, <see cref="UploadRefused"/> or <see cref="UploadFailed"/>.</summary>
    public void Upload(string result)
    {
        // A closed set: anything else would be a programming error that could leak into a label.
        if (result is not (UploadAccepted or UploadRefused or UploadFailed))
        {
            throw new ArgumentOutOfRangeException(nameof(result), result, "not an upload result");
        }

        _uploads.Add(1, new KeyValuePair<string, object?>("result", result));
    }

    public void ObserveEpoch(Func<long?> epoch) => _epoch = epoch;

    private IEnumerable<Measurement<long>> ReadEpoch()
    {
        if (_epoch?.Invoke() is { } epoch)
        {
            yield return new Measurement<long>(epoch);
        }
    }
}
