using System.Diagnostics.Metrics;
using Mixnode.Node.Telemetry;
using Mixnode.Node.Tests.Support;
using Mixnode.Node.Topology;
using Mixnode.Pki;

namespace Mixnode.Node.Tests.Topology;

/// <summary>The follower's instruments carry tags from closed sets only (as PrivacyTests checks for the rest of the node).</summary>
public sealed class ConsensusMetricsTests
{
    private static readonly string[] s_instruments =
    [
        "mixnode.consensus.refused", "mixnode.consensus.fetch.failures", "mixnode.consensus.missed", "mixnode.descriptor.uploads", "mixnode.consensus.epoch",
    ];

    [Fact]
    public void Every_instrument_records_only_closed_set_tags()
    {
        using var factory = new TestMeterFactory();
        var metrics = new ConsensusMetrics(factory);
        var measurements = new List<(string Instrument, KeyValuePair<string, object?>[] Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == NodeMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, tags.ToArray()));
            }
        });
        listener.Start();

        foreach (PkiRefusal reason in Enum.GetValues<PkiRefusal>())
        {
            metrics.Refused(reason);
        }

        metrics.FetchFailed();
        metrics.Missed();
        foreach (string result in new[] { ConsensusMetrics.UploadAccepted, ConsensusMetrics.UploadRefused, ConsensusMetrics.UploadFailed })
        {
            metrics.Upload(result);
        }

        metrics.ObserveEpoch(() => 250_000);
        listener.RecordObservableInstruments();

        Assert.Equal(s_instruments.Order(), measurements.Select(m => m.Instrument).Distinct().Order());
        string[] reasons = [.. Enum.GetValues<PkiRefusal>().Select(r => r.ToTag())];
        Assert.DoesNotContain("other", reasons);
        foreach ((string instrument, KeyValuePair<string, object?>[] tags) in measurements)
        {
            switch (instrument)
            {
                case "mixnode.consensus.refused":
                    Assert.Equal("reason", Assert.Single(tags).Key);
                    Assert.Contains((string)tags[0].Value!, reasons);
                    break;
                case "mixnode.descriptor.uploads":
                    Assert.Equal("result", Assert.Single(tags).Key);
                    Assert.Contains((string)tags[0].Value!, new[] { "accepted", "refused", "failed" });
                    break;
                default:
                    Assert.Empty(tags);
                    break;
            }
        }

        Assert.Equal(reasons.Order(), measurements.Where(m => m.Instrument == "mixnode.consensus.refused").Select(m => (string)m.Tags[0].Value!).Order());
    }
}
