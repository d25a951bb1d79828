using Microsoft.Extensions.Options;

namespace Mixnode.Node.Tests.Delivery;

/// <summary>The mailbox and slow-client settings are checked at start, each failure naming its setting.</summary>
public sealed class DeliveryOptionsTests
{
    [Fact]
    public void Out_of_range_mailbox_and_slow_client_settings_are_refused_by_name()
    {
        var options = new NodeOptions
        {
            Delivery = { MaxStoredBytes = 1000, MessageLifetime = TimeSpan.Zero, MaxParkedRetrievals = 0, MaxRetrievalsPerSession = 0 },
            Links = { SendTimeout = TimeSpan.Zero, ClientPauseThresholdBytes = 100 },
        };

        ValidateOptionsResult result = new NodeOptionsValidator().Validate(null, options);

        foreach (string setting in new[]
        {
            "Mixnode:Delivery:MaxStoredBytes", "Mixnode:Delivery:MessageLifetime", "Mixnode:Delivery:MaxParkedRetrievals",
            "Mixnode:Delivery:MaxRetrievalsPerSession", "Mixnode:Links:SendTimeout", "Mixnode:Links:ClientPauseThresholdBytes",
        })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith(setting + ":", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_defaults_pass_and_client_links_get_the_smaller_buffer()
    {
        var links = new LinkOptions();
        Assert.Equal(64 << 10, links.ForClientLinks().PauseThresholdBytes);
        Assert.Equal(1 << 20, links.PauseThresholdBytes);
        Assert.Equal(TimeSpan.FromSeconds(30), links.SessionSettings(Mixnode.Links.Wire.WireFraming.ForMixLink(Mixnode.Sphinx.SphinxGeometry.Default)).SendTimeout);

        ValidateOptionsResult result = new NodeOptionsValidator().Validate(null, new NodeOptions());
        Assert.DoesNotContain(result.Failures ?? [], f => f.Contains(":Delivery:", StringComparison.Ordinal) || f.Contains("PauseThreshold", StringComparison.Ordinal) || f.Contains("SendTimeout", StringComparison.Ordinal));
    }
}
