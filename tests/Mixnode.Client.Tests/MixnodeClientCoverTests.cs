using System.Security.Cryptography;
using Mixnode.Sphinx;

namespace Mixnode.Client.Tests;

/// <summary>A client over a real socket to a fake provider: its own loops come back counted, never as messages.</summary>
public sealed class MixnodeClientCoverTests : IDisposable
{
    private readonly TestNetwork _network = new(layers: 1, perLayer: 1, providers: 1);

    public void Dispose() => _network.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Our_loops_are_counted_and_taken_out_everything_else_is_delivered(bool withHandler)
    {
        await using var provider = new FakeProvider(_network.Geometry, longPoll: true);
        var handled = new List<byte[]>();
        ClientDeliveryHandler? handler = withHandler ? (kind, payload, _, _) =>
        {
            lock (handled)
            {
                handled.Add(payload.ToArray());
            }
        } : null;

        // The fake clock keeps the topology's epoch current; the provider parks retrievals, so no poll interval is waited out.
        await using MixnodeClient client = await MixnodeClient.ConnectAsync(_network.Topology, provider.Descriptor(), new ClientLinkOptions(), _network.Time, handler);
        byte[] loop = new byte[_network.Geometry.ForwardPayloadLength];
        client.Loops.Write(loop);
        byte[] othersLoop = new byte[_network.Geometry.ForwardPayloadLength];
        using (var stranger = new LoopMarker())
        {
            stranger.Write(othersLoop);
        }

        byte[] message = RandomNumberGenerator.GetBytes(_network.Geometry.ForwardPayloadLength);
        await provider.PushAsync(loop);
        await provider.PushAsync(othersLoop);
        await provider.PushAsync(message);
        await provider.PushAsync(loop);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        List<byte[]> delivered = [];
        while (delivered.Count < 2 || client.Cover.LoopsReturned < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the mailbox");
            if (withHandler)
            {
                lock (handled)
                {
                    delivered = [.. handled];
                }
            }
            else if (client.Received.TryRead(out ClientDelivery? item))
            {
                delivered.Add(item.Payload);
            }

            await Task.Delay(5);
        }

        Assert.Equal([othersLoop, message], delivered);
        Assert.Equal(2, client.Cover.LoopsReturned);
        Assert.False(client.Received.TryRead(out _));
    }
}
