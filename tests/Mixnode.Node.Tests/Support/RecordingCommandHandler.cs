using System.Threading.Channels;
using Mixnode.Links;
using Mixnode.Links.Wire;

namespace Mixnode.Node.Tests.Support;

/// <summary>Accepts SendPacket commands and copies each payload, in order; refuses everything else.</summary>
internal sealed class RecordingCommandHandler : ILinkCommandHandler
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);
    private readonly Channel<byte[]> _received = Channel.CreateUnbounded<byte[]>();

    public LinkSession? Session { get; private set; }

    public int Count => _received.Reader.Count;

    public bool Handle(LinkSession session, in WireCommand command)
    {
        Session = session;
        return command.Id == WireCommandId.SendPacket && _received.Writer.TryWrite(command.Payload.ToArray());
    }

    /// <summary>The next <paramref name="count"/> payloads; each wait is bounded.</summary>
    public async Task<byte[][]> TakeAsync(int count)
    {
        var taken = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            taken[i] = await _received.Reader.ReadAsync().AsTask().WaitAsync(s_wait);
        }

        return taken;
    }
}
