namespace Mixnode.Node.Tests.Support;

/// <summary>The repository's own source tree, for tests that read the code itself (privacy rules, stage dependencies).</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding Mixnode.sln, found upwards from the test assembly.</summary>
    public static string Root()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mixnode.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Mixnode.sln above {AppContext.BaseDirectory}");
    }
}
