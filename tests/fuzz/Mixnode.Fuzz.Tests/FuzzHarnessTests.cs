namespace Mixnode.Fuzz.Tests;

/// <summary>
/// Every fuzz target, run once in-process (no AFL) on each committed seed and on freshly made seeds, so the harness
/// cannot rot unnoticed: a seed that crashes or a target without seeds fails here, in the normal test run.
/// </summary>
public sealed class FuzzHarnessTests
{
    private static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "corpus");

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Target_runs_clean_on_every_committed_seed(string name)
    {
        IFuzzTarget target = FuzzTargets.Find(name)!;
        string[] seeds = Directory.GetFiles(Path.Combine(CorpusDirectory, name));

        Assert.NotEmpty(seeds);
        foreach (string seed in seeds)
        {
            target.Run(File.ReadAllBytes(seed));
        }
    }

    [Fact]
    public void Freshly_made_seeds_run_clean_and_cover_every_target()
    {
        IReadOnlyDictionary<string, IReadOnlyList<byte[]>> seeds = SeedCorpus.Make();

        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(), seeds.Keys.Order());
        foreach ((string name, IReadOnlyList<byte[]> inputs) in seeds)
        {
            Assert.NotEmpty(inputs);
            foreach (byte[] input in inputs)
            {
                FuzzTargets.Find(name)!.Run(input);
            }
        }
    }

    [Fact]
    public void Empty_and_one_byte_inputs_run_clean_on_every_target()
    {
        foreach (IFuzzTarget target in FuzzTargets.All)
        {
            target.Run([]);
            target.Run([1]);
            target.Run([0xff]);
        }
    }

    [Fact]
    public void Every_committed_seed_is_accepted_by_the_code_it_feeds()
    {
        Assert.Empty(SeedCheck.Problems(CorpusDirectory));
    }
}
