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

    /// <summary>
    /// Packets per second all clients from one source prefix (IPv4 /24, IPv6 /64) may send together, charged alongside
    /// each client's own rate: a fresh client key does not bring a fresh allowance. Sized for many clients behind one
    /// NAT and for a loopback test network, where every client shares 127.0.0.0/24 (docs/security.md).
    /// </summary>
    [Range(1, 1_000_000)]
    public double PrefixRatePerSecond { get; set; } = 2000;

    /// <summary>Packets one source prefix may send at once above its rate (bucket size).</summary>
    [Range(1, 10_000_000)]
    public int PrefixBurst { get; set; } = 4000;

    /// <summary>
    /// Packets from clients (and the echo replies made for them) waiting for a crypto worker: a lane of its own beside
    /// Mixnode:IngressQueueCapacity (mix links), so a client flood cannot drop packets other nodes forward. Beyond it
    /// client packets are dropped (reason overload, lane client).
    /// </summary>
    [Range(16, 1 << 20)]
    public int IngressQueueCapacity { get; set; } = 4096;

    /// <summary>
    /// Replies per second the provider's echo service makes, for everyone together (it cannot tell who sent a message
    /// that came through the mix network); beyond it echo messages get no reply (dropped, reason echo_limit).
    /// </summary>
    [Range(0.01, 1_000_000)]
    public double EchoRatePerSecond { get; set; } = 200;

    /// <summary>Echo replies the provider may make at once above <see cref="EchoRatePerSecond"/> (bucket size).</summary>
    [Range(1, 1_000_000)]
    public int EchoBurst { get; set; } = 400;
}
