using System.Text.Json;

namespace Mixnode.Cli.Tests.Bench;

/// <summary>The bench's output contract and the demo's story. Speeds are never asserted here: only shape.</summary>
public sealed class BenchAndDemoCommandTests
{
    [Fact]
    public void Bench_json_ends_with_one_object_holding_the_contract_keys()
    {
        using var output = new StringWriter();
        Assert.Equal(0, MixnodeCommand.Run(["bench", "--seconds", "0.05", "--json"], output));
        string last = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using JsonDocument json = JsonDocument.Parse(last);
        foreach (string key in new[] { "unwrap_per_sec", "x25519_per_sec", "unwrap_per_sec_all_cores", "unwrap_per_sec_batched" })
        {
            Assert.True(json.RootElement.GetProperty(key).GetDouble() > 0, key);
        }

        Assert.Equal(Environment.ProcessorCount, json.RootElement.GetProperty("cores").GetInt32());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("NaN")]
    public void Bench_refuses_a_nonsensical_duration(string seconds)
    {
        using var output = new StringWriter();
        Assert.NotEqual(0, MixnodeCommand.Run(["bench", "--seconds", seconds], output));
        Assert.Contains("--seconds", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_crosses_five_hops_and_gets_a_reply()
    {
        using var output = new StringWriter();
        Assert.Equal(0, MixnodeCommand.Run(["demo", "--bench-seconds", "0"], output));
        string text = output.ToString();
        Assert.Contains("hop 5 provider", text, StringComparison.Ordinal);
        Assert.Contains("message: \"Hello through five mixes.", text, StringComparison.Ordinal);
        Assert.Contains("reply: \"Reply via a single-use reply block.\"", text, StringComparison.Ordinal);
    }
}
