namespace Mixnode.Cli.Vectors;

/// <summary>
/// One named case of a vector file. <see cref="Run"/> may throw <see cref="VectorFormatException"/>
/// for a malformed case; the runner turns that (and any other exception) into a FAIL line for this case
/// only, and goes on with the next.
/// </summary>
internal sealed record VectorCase(string Name, Func<VectorResult> Run);
