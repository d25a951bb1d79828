using System.Diagnostics.Metrics;
using Mixnode.Authority.Protocol;
using Mixnode.Authority.Telemetry;
using Mixnode.Authority.Tests.Support;
using Mixnode.Pki;

namespace Mixnode.Authority.Tests;

/// <summary>Every instrument of the authority, over whole rounds with refusals: tags only from closed sets.</summary>
public sealed class PrivacyTests
{
    private static readonly Dictionary<string, string[]> s_allowed = new(StringComparer.Ordinal)
    {
        ["reason"] = [.. Enum.GetValues<PkiRefusal>().Select(r => r.ToTag()), .. Enum.GetValues<ConsensusFailure>().Select(f => f.ToTag())],
        ["kind"] = ["descriptor", "vote", "reveal", "certificate", "document"],
        ["source"] = ["computed", "fetched", "stored"],
    };

    [Fact]
    public void Metric_tags_never_carry_names_keys_or_addresses()
    {
        using var bed = new AuthorityTestbed();
        var seen = new List<(string Instrument, KeyValuePair<string, object?>[] Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AuthorityMetrics.MeterName && instrument.Meter.Scope == bed.Meters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            lock (seen)
            {
                seen.Add((instrument.Name, tags.ToArray()));
            }
        });
        listener.Start();

        bed.StartAll();
        long epoch = bed.Current;
        bed.Upload(epoch);
        bed.Upload(epoch + 1);
        var stranger = new TestNode("stranger", Pki.NodeRole.Mix, 77);
        bed.Engines[0].SubmitDescriptor(stranger.Upload(epoch).Envelope.Raw);
        bed.Engines[0].SubmitDescriptor("{}"u8.ToArray());
        bed.RunTo(epoch + 1, TimeSpan.FromSeconds(1));
        listener.RecordObservableInstruments();

        Assert.Contains(seen, s => s.Instrument == "mixnode.authority.consensus.published");
        Assert.Contains(seen, s => s.Instrument == "mixnode.authority.refused");
        string[] secrets = [.. bed.Nodes.SelectMany(n => new[] { n.Name, n.Address, Convert.ToBase64String(n.IdentityKey.AsReadOnlySpan()) }), .. bed.Authorities.Authorities.Select(a => a.Name)];
        foreach ((string instrument, KeyValuePair<string, object?>[] tags) in seen)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                Assert.True(s_allowed.TryGetValue(tag.Key, out string[]? values), $"{instrument}: tag '{tag.Key}' is not in the closed set");
                Assert.Contains((string)tag.Value!, values);
                Assert.DoesNotContain((string)tag.Value!, secrets);
            }
        }
    }
}
