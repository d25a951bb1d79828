using System.Text.Json;

namespace Mixnode.Cli.Vectors;

/// <summary>
/// Runs every case of a vector file and prints one line per case (<c>PASS name</c>, <c>FAIL name: why</c>,
/// <c>SKIP name: why</c>), then <c>N passed, N failed, N skipped</c>. A case that throws fails alone; a file
/// that cannot be read or is not of the suite's format counts as one failure naming the file.
/// </summary>
internal sealed class VectorRunner(TextWriter output)
{
    public VectorSummary Run(VectorSuite suite, string path)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var summary = new VectorSummary();
        IReadOnlyList<VectorCase> cases;
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { MaxDepth = 64 });
            cases = suite.ReadCases(document.RootElement.Clone());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or VectorFormatException)
        {
            Report(summary, path, VectorResult.Fail(DescribeFileError(suite, e)));
            return Finish(summary);
        }

        foreach (VectorCase vectorCase in cases)
        {
            VectorResult result;
            try
            {
                result = vectorCase.Run();
            }
            catch (VectorFormatException e)
            {
                result = VectorResult.Fail($"malformed case: {e.Message}");
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException)
            {
                // A case whose values the implementation refuses (e.g. a wrong key length) is a failure of that case.
                result = VectorResult.Fail($"{e.GetType().Name}: {e.Message}");
            }

            Report(summary, vectorCase.Name, result);
        }

        return Finish(summary);
    }

    private void Report(VectorSummary summary, string name, VectorResult result)
    {
        switch (result.Outcome)
        {
            case VectorOutcome.Pass:
                summary.Passed++;
                output.WriteLine($"PASS {name}");
                break;
            case VectorOutcome.Skip:
                summary.Skipped++;
                output.WriteLine($"SKIP {name}: {result.Reason}");
                break;
            default:
                summary.Failed++;
                output.WriteLine($"FAIL {name}: {result.Reason}");
                break;
        }
    }

    private VectorSummary Finish(VectorSummary summary)
    {
        output.WriteLine($"{summary.Passed} passed, {summary.Failed} failed, {summary.Skipped} skipped");
        return summary;
    }

    private static string DescribeFileError(VectorSuite suite, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "file not found",
        JsonException json => $"not valid JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine}): {json.Message}",
        VectorFormatException => $"not a {suite.Name} vector file: {e.Message}",
        _ => $"cannot read the file: {e.Message}",
    };
}
