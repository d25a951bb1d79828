namespace Mixnode.Node.Unwrap.Replay;

/// <summary>
/// Shape of the blocked Bloom filter: <see cref="BlockCount"/> blocks of 512 bits (one cache line); every
/// tag sets <see cref="BitsPerBlock"/> bits in each of <see cref="BlocksPerEntry"/> blocks. Chosen as the
/// smallest bit array whose false-positive rate at <see cref="Capacity"/> entries is at most the target.
/// </summary>
internal sealed record ReplayFilterLayout
{
    public const int BlockBits = 512;
    public const int BlockBytes = BlockBits / 8;
    public const int WordsPerBlock = BlockBits / 64;

    /// <summary>
    /// Two blocks per tag: one block alone needs about 40 bits per entry for 1e-6, two need about 30
    /// (two independent cache misses, which the CPU overlaps); more gains little and costs misses.
    /// </summary>
    public const int BlocksPerEntry = 2;

    public const int MaxBitsPerBlock = 24;
    public const long MaxCapacity = 1L << 36;
    public const double MinFalsePositiveRate = 1e-12;

    private ReplayFilterLayout(long capacity, double targetFalsePositiveRate, int bitsPerBlock, long blockCount)
    {
        Capacity = capacity;
        TargetFalsePositiveRate = targetFalsePositiveRate;
        BitsPerBlock = bitsPerBlock;
        BlockCount = blockCount;
    }

    public long Capacity { get; }

    public double TargetFalsePositiveRate { get; }

    /// <summary>k: bits set per block per tag (positions drawn with replacement).</summary>
    public int BitsPerBlock { get; }

    public long BlockCount { get; }

    public long BitArrayBytes => BlockCount * BlockBytes;

    /// <summary>State bits per expected entry: <c>512 · BlockCount / Capacity</c>.</summary>
    public double BitsPerEntry => (double)BlockCount * BlockBits / Capacity;

    /// <summary>The computed false-positive rate once <see cref="Capacity"/> tags were added.</summary>
    public double FalsePositiveRateAtCapacity => FalsePositiveRate(Capacity);

    /// <summary>The layout for a capacity and target rate; throws on values outside the supported range.</summary>
    public static ReplayFilterLayout Compute(long capacity, double targetFalsePositiveRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        if (!(targetFalsePositiveRate >= MinFalsePositiveRate && targetFalsePositiveRate < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(targetFalsePositiveRate), targetFalsePositiveRate, $"must be between {MinFalsePositiveRate} and 0.5");
        }

        int bestK = 0;
        long bestBlocks = long.MaxValue;
        for (int k = 1; k <= MaxBitsPerBlock; k++)
        {
            // FP falls as blocks are added; search the fewest blocks meeting the target.
            long low = 1;
            long high = Math.Max(2, capacity * 8);
            if (Rate(capacity, high, k) > targetFalsePositiveRate)
            {
                continue;
            }

            while (low < high)
            {
                long mid = low + ((high - low) / 2);
                if (Rate(capacity, mid, k) <= targetFalsePositiveRate)
                {
                    high = mid;
                }
                else
                {
                    low = mid + 1;
                }
            }

            if (low < bestBlocks)
            {
                bestBlocks = low;
                bestK = k;
            }
        }

        return bestK == 0
            ? throw new ArgumentOutOfRangeException(nameof(targetFalsePositiveRate), targetFalsePositiveRate, "no layout reaches this rate")
            : new ReplayFilterLayout(capacity, targetFalsePositiveRate, bestK, bestBlocks);
    }

    /// <summary>The false-positive rate after <paramref name="entries"/> distinct tags (see <see cref="Rate"/>).</summary>
    public double FalsePositiveRate(long entries) => Rate(entries, BlockCount, BitsPerBlock);

    /// <summary>
    /// Blocked Bloom filter rate (Putze, Sanders, Singler 2007), per block: the number of tags that touched a
    /// block is Poisson with mean λ = g·n/B; with j of them, a given bit is set with probability
    /// 1 − (1 − 1/512)^(k·j), and a query's k bits are all set with that probability to the k-th power.
    /// A false positive needs this in all g blocks, which are independent:
    /// FP = ( Σ_j Pois(j; λ) · (1 − (1 − 1/512)^(k·j))^k )^g.
    /// </summary>
    public static double Rate(long entries, long blocks, int bitsPerBlock)
    {
        if (entries <= 0)
        {
            return 0;
        }

        double lambda = (double)BlocksPerEntry * entries / blocks;
        if (lambda > 20 * BlockBits)
        {
            // Every bit of every block is set with probability above 1 − e^−20: the filter refuses everything.
            return 1.0;
        }

        double logLambda = Math.Log(lambda);
        double logMiss = Math.Log(1.0 - (1.0 / BlockBits));
        int last = (int)(lambda + (14 * Math.Sqrt(lambda)) + 40);
        double logPoisson = -lambda;
        double perBlock = 0;
        for (int j = 0; j <= last; j++)
        {
            if (j > 0)
            {
                logPoisson += logLambda - Math.Log(j);
            }

            double bitSet = 1.0 - Math.Exp(bitsPerBlock * j * logMiss);
            perBlock += Math.Exp(logPoisson) * Math.Pow(bitSet, bitsPerBlock);
        }

        return Math.Pow(Math.Min(1.0, perBlock), BlocksPerEntry);
    }
}
