using Mixnode.Node.Mixing;

namespace Mixnode.Node.Tests.Mixing;

/// <summary>
/// Chi-square tests of the shuffles and of the CSPRNG's bounded draws: every order, every selection and every value
/// equally likely. Seeded runs are deterministic (0.999 quantile); CSPRNG runs use a strict quantile, see
/// <see cref="ChiSquare"/>.
/// </summary>
public sealed class ShuffleUniformityTests
{
    private const int Shuffles = 24_000;

    [Fact]
    public void InPlace_of_four_items_gives_all_24_orders_equally_often_with_a_seeded_random() =>
        Assert.InRange(PermutationStatistic(new SeededShuffleRandom(20261125)), 0, ChiSquare.Quantile999(23));

    [Fact]
    public void InPlace_of_four_items_gives_all_24_orders_equally_often_with_the_csprng() =>
        Assert.InRange(PermutationStatistic(CsprngShuffleRandom.Instance), 0, ChiSquare.QuantileStrict(23));

    [Fact]
    public void InPlace_with_the_classic_off_by_one_would_fail_the_same_test()
    {
        // The check has teeth: Sattolo's variant (draw below i instead of up to i) makes only the 6 cyclic orders.
        var random = new Random(3);
        var sattolo = new FixedShuffleRandom(max => random.Next(max - 1));
        Assert.True(PermutationStatistic(sattolo) > ChiSquare.QuantileStrict(23));
    }

    [Fact]
    public void SelectToFront_picks_every_item_equally_often_and_in_any_position_with_a_seeded_random()
    {
        (double members, double first) = SelectionStatistics(new SeededShuffleRandom(7));
        Assert.InRange(members, 0, ChiSquare.Quantile999(9));
        Assert.InRange(first, 0, ChiSquare.Quantile999(9));
    }

    [Fact]
    public void SelectToFront_picks_every_item_equally_often_and_in_any_position_with_the_csprng()
    {
        (double members, double first) = SelectionStatistics(CsprngShuffleRandom.Instance);
        Assert.InRange(members, 0, ChiSquare.QuantileStrict(9));
        Assert.InRange(first, 0, ChiSquare.QuantileStrict(9));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(10)]
    public void The_csprng_draws_every_value_below_its_bound_equally_often(int bound)
    {
        long[] counts = new long[bound];
        for (int i = 0; i < 5_000 * bound; i++)
        {
            int value = CsprngShuffleRandom.Instance.NextInt(bound);
            Assert.InRange(value, 0, bound - 1);
            counts[value]++;
        }

        Assert.InRange(ChiSquare.Statistic(counts), 0, ChiSquare.QuantileStrict(bound - 1));
    }

    [Fact]
    public void The_csprng_has_no_modulo_bias_on_a_bound_that_would_show_it()
    {
        // 3 × 2^29: a plain `value % bound` on 32 bits would draw the lower two thirds 3 times for every 2 of the last
        // third (probabilities 3/8, 3/8, 2/8). Rejection sampling must give 1/3 each.
        const int bound = 3 << 29;
        long[] thirds = new long[3];
        for (int i = 0; i < 30_000; i++)
        {
            int value = CsprngShuffleRandom.Instance.NextInt(bound);
            Assert.InRange(value, 0, bound - 1);
            thirds[value / (1 << 29)]++;
        }

        Assert.InRange(ChiSquare.Statistic(thirds), 0, ChiSquare.QuantileStrict(2));
    }

    [Fact]
    public void The_csprng_refills_its_buffer_rather_than_repeating_it()
    {
        // 64 draws come from one fill; the next 64 must come from a fresh one (equal blocks: probability 2^-2048).
        int[] draws = [.. Enumerable.Range(0, 64 * 4).Select(_ => CsprngShuffleRandom.Instance.NextInt(int.MaxValue))];
        for (int block = 1; block < 4; block++)
        {
            Assert.NotEqual(draws[..64], draws[(64 * block)..(64 * (block + 1))]);
        }

        Assert.True(draws.Distinct().Count() > 250);
    }

    [Fact]
    public void The_csprng_draws_zero_below_one_and_refuses_an_empty_range()
    {
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0, CsprngShuffleRandom.Instance.NextInt(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsprngShuffleRandom.Instance.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsprngShuffleRandom.Instance.NextInt(-5));
    }

    /// <summary>Chi-square of the 24 orders of [0 1 2 3] over <see cref="Shuffles"/> shuffles (each checked to be an order).</summary>
    private static double PermutationStatistic(IShuffleRandom random)
    {
        var counts = new Dictionary<int, long>();
        Span<int> items = stackalloc int[4];
        for (int n = 0; n < Shuffles; n++)
        {
            for (int i = 0; i < 4; i++)
            {
                items[i] = i;
            }

            Shuffle.InPlace(items, random);
            Assert.Equal(15, (1 << items[0]) | (1 << items[1]) | (1 << items[2]) | (1 << items[3]));
            int key = (items[0] << 6) | (items[1] << 4) | (items[2] << 2) | items[3];
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        // An order never drawn counts too: expected 1,000, observed 0.
        long[] observed = [.. counts.Values, .. Enumerable.Repeat(0L, 24 - counts.Count)];
        return ChiSquare.Statistic(observed);
    }

    /// <summary>
    /// 3 of 10 to the front, 10,000 times: chi-square of how often each item is among the 3 (expected 3,000 each) and
    /// of which item comes first (expected 1,000 each). The membership one is a little conservative (the 3 of one draw are
    /// distinct, so the counts vary less than a multinomial's) — it can only fail less often by chance, not more.
    /// </summary>
    private static (double Members, double First) SelectionStatistics(IShuffleRandom random)
    {
        const int items = 10;
        const int selected = 3;
        long[] members = new long[items];
        long[] first = new long[items];
        int[] pool = new int[items];
        for (int n = 0; n < 10_000; n++)
        {
            for (int i = 0; i < items; i++)
            {
                pool[i] = i;
            }

            Shuffle.SelectToFront(pool.AsSpan(), selected, random);
            Assert.Equal(Enumerable.Range(0, items), pool.Order());
            first[pool[0]]++;
            for (int i = 0; i < selected; i++)
            {
                members[pool[i]]++;
            }
        }

        return (ChiSquare.Statistic(members), ChiSquare.Statistic(first));
    }
}
