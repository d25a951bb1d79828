using Mixnode.Node.Forwarding;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Keeps forwarded packets in a plain list, with the clock's timestamp of each departure. Unlike the shared
/// RecordingForwarder it does not copy the list on every read, which matters to tests that release many thousands.
/// </summary>
internal sealed class CollectingForwarder(TimeProvider time) : IPacketForwarder
{
    private readonly List<(int Id, long At)> _departures = [];

    /// <summary>Departures so far (id, timestamp), in order. Read it only while no other thread forwards.</summary>
    public List<(int Id, long At)> Departures => _departures;

    public void Forward(in OutgoingPacket packet)
    {
        lock (_departures)
        {
            _departures.Add((MixerPackets.Id(packet), time.GetTimestamp()));
        }
    }

    public int[] Ids()
    {
        lock (_departures)
        {
            return [.. _departures.Select(d => d.Id)];
        }
    }
}
