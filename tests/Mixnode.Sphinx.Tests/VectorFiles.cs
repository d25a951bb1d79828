namespace Mixnode.Sphinx.Tests;

/// <summary>Locates the vector files copied into this test project (Vectors/, copied to the output).</summary>
internal static class VectorFiles
{
    public static string PathOf(string relative) =>
        Path.Combine(AppContext.BaseDirectory, "Vectors", relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));
}
