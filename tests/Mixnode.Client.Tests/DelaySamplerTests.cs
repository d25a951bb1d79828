namespace Mixnode.Client.Tests;

public sealed class DelaySamplerTests
{
    [Theory]
    [InlineData(50)]
    [InlineData(200)]
    public void The_mean_of_100k_draws_is_the_configured_mean(double mean)
    {
        var sampler = new DelaySampler(mean);
        const int n = 100_000;
        double sum = 0;
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++)
        {
            double x = sampler.NextMs();
            sum += x;
            sumOfSquares += x * x;
        }

        double sampleMean = sum / n;
        double sd = Math.Sqrt((sumOfSquares / n) - (sampleMean * sampleMean));

        // The standard error is mean/√n ≈ 0.3 %; 2 % is over six of them. An exponential's sd equals its mean.
        Assert.InRange(sampleMean, mean * 0.98, mean * 1.02);
        Assert.InRange(sd, mean * 0.95, mean * 1.05);
    }

    [Fact]
    public void Draws_never_exceed_the_cap()
    {
        var sampler = new DelaySampler(100, maxMs: 150);
        for (int i = 0; i < 20_000; i++)
        {
            Assert.InRange(sampler.NextMs(), 0u, 150u);
        }
    }

    [Fact]
    public void The_default_cap_is_twenty_means()
    {
        Assert.Equal(1000, new DelaySampler(50).MaxMs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Impossible_means_are_refused(double mean) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DelaySampler(mean));
}
