using Mixnode.Node.Wire;

namespace Mixnode.Node.Links;

/// <summary>What every session of a node shares: framing, timers, rekey interval.</summary>
internal sealed record LinkSessionSettings(
    WireFraming Framing,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    TimeSpan NoOpInterval,
    long RekeyInterval)
{
    /// <summary>Bound into the handshake: node links and client links differ here, so neither can pose as the other.</summary>
    public byte[] Prologue { get; init; } = LinkProtocol.Prologue(Framing);

    public static LinkSessionSettings From(LinkOptions options, WireFraming framing) =>
        new(framing, options.HandshakeTimeout, options.IdleTimeout, options.NoOpInterval, LinkProtocol.DefaultRekeyInterval);
}
