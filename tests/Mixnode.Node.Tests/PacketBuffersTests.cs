namespace Mixnode.Node.Tests;

public sealed class PacketBuffersTests
{
    [Fact]
    public void A_returned_buffer_comes_back_cleared()
    {
        // On one thread a return followed by a rent gives the same buffer back: it must not carry the last
        // packet's bytes (at a provider, a decrypted payload) to its next user.
        // A thread of its own, so its one-buffer cache starts empty whatever other tests did.
        byte[]? buffer = null, again = null;
        var thread = new Thread(() =>
        {
            buffer = PacketBuffers.Rent(3082);
            buffer.AsSpan().Fill(0xA5);
            PacketBuffers.Return(buffer);
            again = PacketBuffers.Rent(3082);
        });
        thread.Start();
        thread.Join();

        Assert.Same(buffer, again);
        Assert.True(again!.AsSpan().IndexOfAnyExcept((byte)0) < 0, "the pooled buffer still holds the previous packet's bytes");
    }
}
