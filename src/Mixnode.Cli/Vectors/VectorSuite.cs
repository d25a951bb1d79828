using System.Text.Json;

namespace Mixnode.Cli.Vectors;

/// <summary>A kind of vector file (sphinx, aez, noise, wire): splits a parsed file into runnable cases.</summary>
internal abstract class VectorSuite
{
    /// <summary>The name used on the command line: <c>mixnode vectors NAME FILE</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Splits the document into cases. Throws <see cref="VectorFormatException"/> when the file as a whole
    /// is not of this suite's format (for example an object where an array is expected).
    /// Per-case problems must surface from <see cref="VectorCase.Run"/> instead, so other cases still run.
    /// </summary>
    public abstract IReadOnlyList<VectorCase> ReadCases(JsonElement root);
}
