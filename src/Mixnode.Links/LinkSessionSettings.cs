using Mixnode.Links.Wire;

namespace Mixnode.Links;

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

    /// <summary>
    /// A flush that has not completed after this long (the peer stopped reading) closes the session with
    /// <see cref="LinkCloseReason.SendTimeout"/>; infinite by default (clients of a provider, for example, wait on it).
    /// </summary>
    public TimeSpan SendTimeout { get; init; } = Timeout.InfiniteTimeSpan;
}
