namespace Mixnode.Fuzz;

/// <summary>
/// One thing the fuzzer feeds. <see cref="Run"/> swallows the refusals the code under test promises for bad input
/// (a result code, or the exception type it documents) and lets everything else escape: an escaped exception is
/// what AFL records as a crash.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The name on the command line and of the seed corpus folder (<c>tests/fuzz/corpus/NAME</c>).</summary>
    string Name { get; }

    void Run(ReadOnlySpan<byte> input);
}
