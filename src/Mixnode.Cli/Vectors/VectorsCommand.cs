using System.CommandLine;

namespace Mixnode.Cli.Vectors;

/// <summary><c>mixnode vectors sphinx|aez|noise|wire FILE</c>: checks a published vector file; exit 1 when a case fails.</summary>
internal static class VectorsCommand
{
    /// <summary>Every suite the command knows, by the name used on the command line.</summary>
    public static IReadOnlyList<VectorSuite> Suites { get; } = [new SphinxVectorSuite(), new AezVectorSuite(), new NoiseVectorSuite(), new WireVectorSuite()];

    public static Command Create()
    {
        var command = new Command("vectors", "Check a published test-vector file: one PASS/FAIL/SKIP line per case, then a summary. Exit 1 if any case failed.");
        foreach (VectorSuite suite in Suites)
        {
            var file = new Argument<FileInfo>("FILE") { Description = $"A {suite.Name} vector file (formats: tests/Mixnode.Sphinx.Tests/Vectors/README.md)." };
            var sub = new Command(suite.Name, $"Check a {suite.Name} vector file.") { file };
            sub.SetAction(parse => Run(suite, parse.GetValue(file)!.FullName, parse.InvocationConfiguration.Output));
            command.Subcommands.Add(sub);
        }

        return command;
    }

    public static int Run(VectorSuite suite, string path, TextWriter output)
    {
        VectorSummary summary = new VectorRunner(output).Run(suite, path);
        return summary.Failed == 0 ? 0 : 1;
    }
}
