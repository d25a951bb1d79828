using Mixnode.Node.Mixing;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>A departure gate that refuses the packets whose ids it is given, and remembers what it was asked and told.</summary>
internal sealed class RecordingDepartureGate(params int[] refused) : IDepartureGate
{
    private readonly List<int> _asked = [];

    public IReadOnlyList<int> Asked
    {
        get
        {
            lock (_asked)
            {
                return [.. _asked];
            }
        }
    }

    public bool Closed { get; private set; }

    public bool TryReady(byte[] buffer)
    {
        int id = BitConverter.ToInt32(buffer);
        lock (_asked)
        {
            _asked.Add(id);
        }

        return !refused.Contains(id);
    }

    public void Close() => Closed = true;
}
