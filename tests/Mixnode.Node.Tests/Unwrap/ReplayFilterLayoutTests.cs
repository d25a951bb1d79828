using Xunit.Abstractions;
using Mixnode.Node.Unwrap.Replay;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>Sizing of the filter and the keyed hash under it.</summary>
public sealed class ReplayFilterLayoutTests(ITestOutputHelper output)
{
    [Fact]
    public void The_default_sizing_meets_its_target_at_about_thirty_bits_per_entry()
    {
        var layout = ReplayFilterLayout.Compute(54_000_000, 1e-6);
        foreach (double rate in new[] { 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-9 })
        {
            var l = ReplayFilterLayout.Compute(54_000_000, rate);
            output.WriteLine($"target {rate:E0}: k={l.BitsPerBlock}, {l.BitsPerEntry:F2} bits/entry, {l.BitArrayBytes / 1048576.0:F1} MiB, at capacity {l.FalsePositiveRateAtCapacity:E2}, ×1.5 {l.FalsePositiveRate(81_000_000):E2}, ×2 {l.FalsePositiveRate(108_000_000):E2}, ×4 {l.FalsePositiveRate(216_000_000):E2}");
        }

        Assert.True(layout.FalsePositiveRateAtCapacity <= 1e-6);
        Assert.InRange(layout.BitsPerEntry, 28, 32);
        Assert.True(layout.FalsePositiveRate(2 * layout.Capacity) > 100 * layout.FalsePositiveRateAtCapacity);
        Assert.Equal(0, layout.FalsePositiveRate(0));
    }

    [Fact]
    public void The_rate_falls_with_more_blocks_and_rises_with_more_entries()
    {
        Assert.True(ReplayFilterLayout.Rate(1000, 200, 8) > ReplayFilterLayout.Rate(1000, 400, 8));
        Assert.True(ReplayFilterLayout.Rate(2000, 200, 8) > ReplayFilterLayout.Rate(1000, 200, 8));
        Assert.Equal(1.0, ReplayFilterLayout.Rate(long.MaxValue / 4, 1, 8));
    }

    [Theory]
    [InlineData(0, 1e-6)]
    [InlineData(-5, 1e-6)]
    [InlineData(1000, 0)]
    [InlineData(1000, 0.5)]
    [InlineData(1000, double.NaN)]
    [InlineData(1000, 1e-13)]
    public void Impossible_sizings_are_refused(long capacity, double rate) =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => ReplayFilterLayout.Compute(capacity, rate));

    [Fact]
    public void SipHash_2_4_matches_the_reference_vectors()
    {
        // Aumasson–Bernstein reference: key 00..0f; messages 00..(n-1).
        ulong k0 = 0x0706050403020100UL;
        ulong k1 = 0x0f0e0d0c0b0a0908UL;
        byte[] message = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        Assert.Equal(0x726fdb47dd0e0e31UL, SipHash24.Hash(k0, k1, []));
        Assert.Equal(0xa129ca6149be45e5UL, SipHash24.Hash(k0, k1, message.AsSpan(0, 15)));
    }
}
