namespace Mixnode.Pki.Tests;

public sealed class DirectorySyncTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mixnode-pki-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_atomic_write_replaces_the_file_and_leaves_no_temporary_behind()
    {
        string path = Path.Combine(_directory, "descriptor.json");
        KeyFile.WriteAtomically(path, "old"u8, KeyFile.PublicMode);
        KeyFile.WriteAtomically(path, "new"u8, KeyFile.PublicMode);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["descriptor.json"], Directory.EnumerateFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Flushing_a_directory_works_and_a_missing_one_is_named()
    {
        DirectorySync.Flush(_directory);
        if (OperatingSystem.IsLinux())
        {
            string missing = Path.Combine(_directory, "nowhere");
            var e = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
            Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        }
    }
}
