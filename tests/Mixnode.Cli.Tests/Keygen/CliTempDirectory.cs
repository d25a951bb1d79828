namespace Mixnode.Cli.Tests.Keygen;

/// <summary>A fresh temp directory for one test, deleted afterwards.</summary>
internal sealed class CliTempDirectory : IDisposable
{
    public CliTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mixnode-cli-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
