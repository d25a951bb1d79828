using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Mixnode.Node.Mixing;
using Mixnode.Node.Unwrap;
using Mixnode.Sphinx;
using Mixnode.Sphinx.Crypto;

namespace Mixnode.Node.Tests.Unwrap;

/// <summary>
/// Deferred re-blinding: every packet handed over leaves with alpha × factor exactly once (never with the alpha it
/// came with, never blinded twice), whether a worker's batch, the mixer's release or both reached it first.
/// </summary>
public sealed class ReBlinderTests
{
    private const int FactorLength = SphinxUnwrapper.BlindingFactorLength;
    private readonly FakeTimeProvider _time = new();
    private readonly ReBlinder _reBlinder;
    private readonly ReBlinder.Scratch _scratch = new();

    public ReBlinderTests() => _reBlinder = new ReBlinder(_time);

    [Fact]
    public void Seven_far_off_packets_wait_and_the_eighth_re_blinds_them_all()
    {
        Item[] items = [.. Enumerable.Range(0, SphinxUnwrapper.MaxBatch).Select(_ => Item.Create())];
        for (int i = 0; i < items.Length - 1; i++)
        {
            Add(items[i], dueInMs: 100);
        }

        Assert.Equal(7, _reBlinder.PendingCount);
        Assert.All(items, item => Assert.Equal(item.OriginalAlpha, item.Alpha));

        Add(items[^1], dueInMs: 100);
        Assert.Equal(0, _reBlinder.PendingCount);
        Assert.All(items, item => Assert.Equal(item.ExpectedAlpha, item.Alpha));

        // Leaving changes nothing more.
        Assert.All(items, item => Assert.True(_reBlinder.TryReady(item.Buffer)));
        Assert.All(items, item => Assert.Equal(item.ExpectedAlpha, item.Alpha));
    }

    [Fact]
    public void A_packet_due_within_the_flush_horizon_re_blinds_the_pending_set_at_once()
    {
        Item far = Item.Create();
        Item soon = Item.Create();
        Add(far, dueInMs: 1000);
        Add(soon, dueInMs: ReBlinder.FlushAhead.TotalMilliseconds);

        Assert.Equal(0, _reBlinder.PendingCount);
        Assert.Equal(far.ExpectedAlpha, far.Alpha);
        Assert.Equal(soon.ExpectedAlpha, soon.Alpha);
    }

    [Fact]
    public void A_pending_packet_that_falls_due_is_re_blinded_on_its_own_as_it_leaves()
    {
        Item first = Item.Create();
        Item second = Item.Create();
        Add(first, dueInMs: 100);
        Add(second, dueInMs: 200);

        Assert.True(_reBlinder.TryReady(first.Buffer));
        Assert.Equal(first.ExpectedAlpha, first.Alpha);
        Assert.Equal(second.OriginalAlpha, second.Alpha);
        Assert.Equal(1, _reBlinder.PendingCount);
    }

    [Fact]
    public void A_cancelled_packet_is_forgotten_and_never_touched()
    {
        Item cancelled = Item.Create();
        Add(cancelled, dueInMs: 100);
        _reBlinder.Cancel(cancelled.Buffer);
        Assert.Equal(0, _reBlinder.PendingCount);

        Item[] others = AddNew(SphinxUnwrapper.MaxBatch, dueInMs: 100);

        Assert.Equal(cancelled.OriginalAlpha, cancelled.Alpha);
        Assert.All(others, item => Assert.Equal(item.ExpectedAlpha, item.Alpha));
    }

    [Fact]
    public void A_failed_re_blinding_makes_the_packet_leave_as_a_drop()
    {
        // The identity: cannot follow a successful agreement, but must still never leave with the old alpha.
        Item lowOrder = Item.Create();
        lowOrder.Buffer.AsSpan(2, 32).Clear();
        Add(lowOrder, dueInMs: 100);
        Assert.False(_reBlinder.TryReady(lowOrder.Buffer));

        Item inBatch = Item.Create();
        inBatch.Buffer.AsSpan(2, 32).Clear();
        Add(inBatch, dueInMs: 100);
        Item[] others = AddNew(SphinxUnwrapper.MaxBatch - 1, dueInMs: 100);

        Assert.False(_reBlinder.TryReady(inBatch.Buffer));
        Assert.All(others, item => Assert.True(_reBlinder.TryReady(item.Buffer)));
        Assert.All(others, item => Assert.Equal(item.ExpectedAlpha, item.Alpha));
    }

    [Fact]
    public void After_clearing_at_shutdown_nothing_may_leave()
    {
        Item pending = Item.Create();
        Item done = Item.Create();
        Add(done, dueInMs: 0);
        Add(pending, dueInMs: 100);

        _reBlinder.Close();

        Assert.Equal(0, _reBlinder.PendingCount);
        Assert.False(_reBlinder.TryReady(pending.Buffer));
        Assert.Equal(pending.OriginalAlpha, pending.Alpha);
        Assert.False(_reBlinder.TryReady(done.Buffer));
    }

    [Fact]
    public async Task Workers_and_the_mixer_racing_re_blind_every_packet_exactly_once()
    {
        // Two workers add (some packets due at once, most later); the mixer takes each as soon as it was added,
        // so it meets packets pending, in a worker's batch, and done.
        const int PerWorker = 1500;
        var time = TimeProvider.System;
        var reBlinder = new ReBlinder(time);
        var added = new BlockingCollection<Item>();
        long tick = time.TimestampFrequency / 1000;

        // Threads of their own (LongRunning): blocking pool threads would starve tests running beside this one.
        Task Worker(int seed) => Task.Factory.StartNew(() =>
        {
            var scratch = new ReBlinder.Scratch();
            var random = new Random(seed);
            for (int i = 0; i < PerWorker; i++)
            {
                Item item = Item.Create();
                reBlinder.Add(item.Buffer, item.Factor, time.GetTimestamp() + (random.Next(4) == 0 ? 0 : 50 * tick), scratch);
                added.Add(item);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var left = new List<Item>();
        Task mixer = Task.Factory.StartNew(
            () =>
            {
                foreach (Item item in added.GetConsumingEnumerable())
                {
                    Assert.True(reBlinder.TryReady(item.Buffer));
                    left.Add(item);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await Task.WhenAll(Worker(1), Worker(2));
        added.CompleteAdding();
        await mixer;

        Assert.Equal(2 * PerWorker, left.Count);
        Assert.All(left, item => Assert.Equal(item.ExpectedAlpha, item.Alpha));
        Assert.Equal(0, reBlinder.PendingCount);
    }

    private Item[] AddNew(int count, double dueInMs)
    {
        Item[] items = [.. Enumerable.Range(0, count).Select(_ => Item.Create())];
        foreach (Item item in items)
        {
            Add(item, dueInMs);
        }

        return items;
    }

    private void Add(Item item, double dueInMs) =>
        _reBlinder.Add(item.Buffer, item.Factor, _time.GetTimestamp() + (long)(dueInMs * _time.TimestampFrequency / 1000), _scratch);

    /// <summary>A packet-sized buffer whose alpha (bytes 2..34) is a random point, with the factor it must be blinded by.</summary>
    private sealed record Item(byte[] Buffer, byte[] Factor, byte[] OriginalAlpha, byte[] ExpectedAlpha)
    {
        public byte[] Alpha => Buffer[2..34];

        public static Item Create()
        {
            byte[] buffer = RandomNumberGenerator.GetBytes(SphinxGeometry.Default.PacketLength);
            byte[] factor = RandomNumberGenerator.GetBytes(FactorLength);
            byte[] expected = new byte[32];
            bool valid = X25519.ScalarMult(factor, buffer.AsSpan(2, 32), expected);
            return new Item(buffer, factor, buffer[2..34], valid ? expected : buffer[2..34]);
        }
    }
}
