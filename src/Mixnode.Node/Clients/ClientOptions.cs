using System.ComponentModel.DataAnnotations;

namespace Mixnode.Node.Clients;

/// <summary>A provider's client links: where they connect and how fast each may send.</summary>
public sealed class ClientOptions
{
    /// <summary>Packets per second one client may send (token bucket rate).</summary>
    [Range(1, 1_000_000)]
    public double RatePerSecond { get; set; } = 200;

    /// <summary>Packets a client may send at once above its rate (bucket size).</summary>
    [Range(1, 1_000_000)]
    public int Burst { get; set; } = 400;

    /// <summary>A client kept throttled (over its rate) for this long is disconnected.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan CutOffAfter { get; set; } = TimeSpan.FromSeconds(10);
}
