using System.Globalization;

namespace Mixnode.Cli.Abuse;

/// <summary>
/// <c>long-delays</c>: at R/s, drops whose every hop is asked for the longest delay the network accepts (the
/// document's cap, <see cref="Mixnode.Pki.MixingParameters.MaxDelayMs"/>, or --delay-ms): each sits in a delay
/// queue for that long at every hop, starting at the sender's provider.
/// </summary>
internal static class LongDelaysAbuse
{
    public static IAbuse Create(AbuseTarget target, AbuseOptions options, TextWriter output)
    {
        uint cap = (uint)Math.Floor(target.Topology.Mixing.MaxDelayMs);
        uint delay = options.DelayMs ?? cap;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"asking every hop for {delay} ms (the network document's cap: {cap} ms; a node also caps at its Mixnode:MaxNodeDelay)"));
        return new PacketFloodAbuse(target, options.Clients, b => AbuseMessages.LongDelay(b, target.Provider, target.Provider, delay), output);
    }
}
