using System.Text.Json;

namespace Mixnode.Cli.Tests.Simulate;

/// <summary><c>mixnode simulate</c>: its output contract and its refusals.</summary>
public sealed class SimulateCommandTests
{
    [Fact]
    public void Json_ends_with_one_object_holding_the_contract_keys()
    {
        (int code, string text) = Run("simulate", "--strategy", "timed-pool", "--arrival-rate", "100", "--packets", "5000",
            "--interval", "0", "--threshold", "16", "--min-pool", "0", "--fraction", "1", "--seed", "1", "--json");
        Assert.Equal(0, code);
        string last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        using JsonDocument json = JsonDocument.Parse(last);
        JsonElement root = json.RootElement;
        Assert.Equal(4, root.GetProperty("entropy_bits").GetDouble(), 1e-9);
        Assert.Equal(16, root.GetProperty("effective_anonymity_set").GetDouble(), 1e-6);
        Assert.True(root.GetProperty("mean_latency_s").GetDouble() > 0);
        Assert.True(root.GetProperty("p99_latency_s").GetDouble() >= root.GetProperty("mean_latency_s").GetDouble());
        Assert.Equal("timed-pool", root.GetProperty("strategy").GetString());
        Assert.Equal(5000, root.GetProperty("packets").GetInt32());
        Assert.Contains("log2 16 = 4.000 bits", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_poisson_run_prints_its_summary_and_reference_and_repeats_with_its_seed()
    {
        string[] args = ["simulate", "--strategy", "poisson", "--arrival-rate", "500", "--packets", "5000", "--mean-delay", "0.1", "--seed", "3"];
        (int code, string text) = Run(args);
        Assert.Equal(0, code);
        Assert.Contains("entropy: mean", text, StringComparison.Ordinal);
        Assert.Contains("effective anonymity set", text, StringComparison.Ordinal);
        Assert.Contains("added latency: mean", text, StringComparison.Ordinal);
        Assert.Contains("log2(e·λ·D) = 7.087 bits", text, StringComparison.Ordinal);
        Assert.Equal(text, Run(args).Text);
    }

    [Theory]
    [InlineData("--strategy", "mixmaster")]
    [InlineData("--arrival-rate", "-1")]
    [InlineData("--arrival-rate", "0")]
    [InlineData("--arrival-rate", "NaN")]
    [InlineData("--arrival-rate", "1e8")]
    [InlineData("--packets", "0")]
    [InlineData("--packets", "10000001")]
    [InlineData("--mean-delay", "0")]
    [InlineData("--mean-delay", "-0.5")]
    public void Impossible_poisson_numbers_are_argument_errors(string option, string value)
    {
        (int code, string text) = Run(With(["simulate", "--strategy", "poisson", "--arrival-rate", "100", "--packets", "1000"], option, value));
        Assert.Equal(2, code);
        Assert.Contains(option, text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--interval", "-1")]
    [InlineData("--interval", "NaN")]
    [InlineData("--threshold", "-3")]
    [InlineData("--min-pool", "-1")]
    [InlineData("--min-pool", "1000001")]
    [InlineData("--fraction", "0")]
    [InlineData("--fraction", "1.5")]
    [InlineData("--fraction", "NaN")]
    public void Impossible_pool_numbers_are_argument_errors(string option, string value)
    {
        (int code, string text) = Run(With(["simulate", "--strategy", "timed-pool", "--arrival-rate", "100", "--packets", "1000"], option, value));
        Assert.Equal(2, code);
        Assert.Contains(option, text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pool_with_neither_timer_nor_threshold_is_refused()
    {
        (int code, string text) = Run("simulate", "--strategy", "timed-pool", "--arrival-rate", "100", "--packets", "1000", "--interval", "0", "--threshold", "0");
        Assert.Equal(2, code);
        Assert.Contains("--interval", text, StringComparison.Ordinal);
        Assert.Contains("--threshold", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Required_options_must_be_given()
    {
        (int code, string text) = Run("simulate", "--arrival-rate", "100", "--packets", "1000");
        Assert.NotEqual(0, code);
        Assert.Contains("--strategy", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_too_short_for_any_target_to_leave_the_pool_says_so()
    {
        // A threshold above the packet count never flushes.
        (int code, string text) = Run("simulate", "--strategy", "timed-pool", "--arrival-rate", "100", "--packets", "50", "--interval", "0", "--threshold", "100");
        Assert.Equal(1, code);
        Assert.Contains("--packets", text, StringComparison.Ordinal);
    }

    private static string[] With(string[] args, string option, string value)
    {
        var list = args.ToList();
        int at = list.IndexOf(option);
        if (at >= 0)
        {
            list[at + 1] = value;
        }
        else
        {
            list.AddRange([option, value]);
        }

        return [.. list];
    }

    private static (int Code, string Text) Run(params string[] args)
    {
        using var output = new StringWriter();
        int code = MixnodeCommand.Run(args, output);
        return (code, output.ToString());
    }
}
