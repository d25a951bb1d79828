namespace Mixnode.Node.Tests;

/// <summary>Locates the published vector files, copied into the test output under Vectors/ (one copy, in the Sphinx tests).</summary>
internal static class VectorFiles
{
    public static string PathOf(string relative) =>
        Path.Combine(AppContext.BaseDirectory, "Vectors", relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));
}
