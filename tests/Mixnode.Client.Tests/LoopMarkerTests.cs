using System.Security.Cryptography;
using FsCheck.Xunit;

namespace Mixnode.Client.Tests;

public sealed class LoopMarkerTests
{
    private const int PayloadLength = 2000;

    [Fact]
    public void A_marked_payload_is_known_again_and_any_change_to_its_mark_is_not()
    {
        using var marker = new LoopMarker();
        byte[] payload = new byte[PayloadLength];
        marker.Write(payload);
        Assert.True(marker.IsLoop(payload));

        for (int i = 0; i < LoopMarker.Length; i++)
        {
            payload[i] ^= 0x01;
            Assert.False(marker.IsLoop(payload), $"bit flipped at byte {i}");
            payload[i] ^= 0x01;
        }

        // The rest is filler: it may change on the way (it does not), the mark still holds.
        payload[^1] ^= 0xFF;
        Assert.True(marker.IsLoop(payload));
    }

    [Fact]
    public void Another_clients_loops_and_short_or_empty_payloads_are_not_ours()
    {
        using var mine = new LoopMarker();
        using var theirs = new LoopMarker();
        byte[] payload = new byte[PayloadLength];
        theirs.Write(payload);
        Assert.False(mine.IsLoop(payload));
        Assert.False(mine.IsLoop(new byte[PayloadLength]));
        Assert.False(mine.IsLoop(payload.AsSpan(0, LoopMarker.Length - 1)));
        Assert.Throws<ArgumentException>(() => mine.Write(new byte[LoopMarker.Length - 1]));
    }

    [Fact]
    public void Every_loop_payload_is_fresh_random_bytes()
    {
        using var marker = new LoopMarker();
        byte[] a = new byte[PayloadLength];
        byte[] b = new byte[PayloadLength];
        marker.Write(a);
        marker.Write(b);
        Assert.NotEqual(a[..LoopMarker.TokenLength], b[..LoopMarker.TokenLength]);

        // No zero padding a provider could tell from a drop's random payload: about 1 byte in 256 is zero.
        Assert.InRange(a.Count(x => x == 0), 0, 30);
    }

    [Fact]
    public void A_disposed_marker_knows_nothing_and_marks_nothing()
    {
        var marker = new LoopMarker();
        byte[] payload = new byte[PayloadLength];
        marker.Write(payload);
        marker.Dispose();
        Assert.False(marker.IsLoop(payload));
        Assert.Throws<ObjectDisposedException>(() => marker.Write(payload));
    }

    [Property(MaxTest = 500)]
    public bool Random_payloads_are_never_taken_for_loops(byte[] raw)
    {
        using var marker = new LoopMarker();
        return !marker.IsLoop(raw ?? []) && !marker.IsLoop(RandomNumberGenerator.GetBytes(64));
    }
}
