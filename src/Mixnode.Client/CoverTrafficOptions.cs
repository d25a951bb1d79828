using Mixnode.Pki;

namespace Mixnode.Client;

/// <summary>
/// The rates of a covering client's two Loopix streams and the bound on its queue of real messages. Every client of
/// a network should use the document's rates (<see cref="FromTopology"/>): a client sending at its own rates is told
/// apart by them.
/// </summary>
internal sealed record CoverTrafficOptions
{
    /// <summary>Real messages waiting for a payload slot before <see cref="LoopixStreams.TryEnqueue"/> refuses more.</summary>
    public const int DefaultMaxQueuedMessages = 1000;

    /// <summary>λP: payload slots per second; each carries the oldest waiting message, or a drop.</summary>
    public required double PayloadRatePerSecond { get; init; }

    /// <summary>λL: loops per second through the network back to our own mailbox; 0 for none.</summary>
    public required double LoopRatePerSecond { get; init; }

    public int MaxQueuedMessages { get; init; } = DefaultMaxQueuedMessages;

    /// <summary>The network document's λP and λL.</summary>
    public static CoverTrafficOptions FromTopology(NetworkTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return new CoverTrafficOptions
        {
            PayloadRatePerSecond = topology.Mixing.ClientPayloadRatePerSecond,
            LoopRatePerSecond = topology.Mixing.ClientLoopRatePerSecond,
        };
    }

    /// <summary>What is wrong with the settings, or null.</summary>
    public string? Validate()
    {
        if (!(PayloadRatePerSecond > 0 && PayloadRatePerSecond <= MixingParameters.MaxRatePerSecond))
        {
            return $"the payload rate λP must be more than 0 (without payload slots no message would ever leave) and at most 1e6 per second, got {PayloadRatePerSecond}";
        }

        if (!(LoopRatePerSecond >= 0 && LoopRatePerSecond <= MixingParameters.MaxRatePerSecond))
        {
            return $"the loop rate λL must be between 0 and 1e6 per second, got {LoopRatePerSecond}";
        }

        return MaxQueuedMessages < 1 ? $"the message queue must hold at least one message, got {MaxQueuedMessages}" : null;
    }
}
