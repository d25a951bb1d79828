// Re-runs docs/anonymity.md's sweep, prints its tables as markdown and draws the plot:
//   dotnet run -c Release --project tools/AnonymityPlot -- docs/anonymity.png
// Every point uses seed 1, so the numbers come out the same each time. About a minute on two cores.
using System.Globalization;
using Mixnode.Tools.AnonymityPlot;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: AnonymityPlot PNG-FILE   (prints the tables of docs/anonymity.md, writes the plot)");
    return 2;
}

IReadOnlyList<SweepPoint> points = Sweep.Run();
Console.WriteLine("| strategy | rate | settings | entropy (bits) | anonymity set | mean latency (s) | p99 latency (s) |");
Console.WriteLine("|---|---:|---|---:|---:|---:|---:|");
foreach (SweepPoint p in points)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {p.Strategy} | {p.Rate:N0}/s | `{p.Settings}` | {p.Result.EntropyBits:F2} | {p.Result.EffectiveAnonymitySet:N1} | {p.Result.Latency.MeanSeconds:0.000} | {p.Result.Latency.P99Seconds:0.000} |"));
}

Console.WriteLine();
Console.WriteLine("| offered | node | poisson, 50 ms | timed-pool defaults |");
Console.WriteLine("|---|---|---|---|");
foreach (string row in TestnetFigures.MarkdownRows())
{
    Console.WriteLine(row);
}

Console.WriteLine();
Console.WriteLine("| sends/s | estimator, Erlang(4, 50 ms), 60 s synthetic run | closed form: h(Erlang(4, 50 ms)) + log2 λ |");
Console.WriteLine("|---:|---:|---:|");
foreach (double rate in new[] { 100.0, 1000, 3000 })
{
    double estimated = TestnetFigures.EndToEnd(rate).MeanEntropyBits;
    double closedForm = TestnetFigures.ErlangEntropyBits(TestnetFigures.DelayedHops, TestnetFigures.MeanDelay) + Math.Log2(rate);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {rate:N0} | {estimated:F2} bits | {closedForm:F2} bits |"));
}

AnonymityChart.Save(points, args[0]);
Console.WriteLine();
Console.WriteLine($"plot written to {args[0]}");
return 0;
