namespace Mixnode.Cli.Tests.Packaging;

/// <summary>config/systemd/mixnode.service: a notify service with no privileges, a read-only system and no diagnostics.</summary>
public sealed class SystemdUnitTests
{
    private static readonly Lazy<IReadOnlyList<(string Section, string Key, string Value)>> s_unit = new(() => Parse(PackagingFiles.Config("systemd", "mixnode.service")));

    private static IEnumerable<string> Values(string key, string section = "Service") =>
        s_unit.Value.Where(e => e.Section == section && e.Key == key).Select(e => e.Value);

    private static string Single(string key, string section = "Service") =>
        Values(key, section).LastOrDefault() ?? throw new Xunit.Sdk.XunitException($"[{section}] has no {key}=");

    [Fact]
    public void It_is_a_notify_service_running_the_published_node()
    {
        Assert.Equal("notify", Single("Type"));
        Assert.Equal("/opt/mixnode/mixnode run --config /etc/mixnode/appsettings.json", Single("ExecStart"));
        Assert.Equal("mixnode", Single("User"));
        Assert.Equal("on-failure", Single("Restart"));
        Assert.Equal("multi-user.target", Single("WantedBy", "Install"));
    }

    [Fact]
    public void It_has_no_privileges()
    {
        Assert.Equal("yes", Single("NoNewPrivileges"));
        Assert.Equal("", Single("CapabilityBoundingSet"));
        Assert.Equal("", Single("AmbientCapabilities"));
        Assert.Equal("strict", Single("ProtectSystem"));
        Assert.Equal("yes", Single("ProtectHome"));
        Assert.Equal("yes", Single("PrivateTmp"));
        Assert.Contains("/var/lib/mixnode", Single("ReadWritePaths").Split(' '));
        Assert.NotEmpty(Single("LimitNOFILE"));
    }

    [Fact]
    public void Diagnostics_are_off()
    {
        Assert.Contains(Values("Environment"), e => e.Trim('"') == "DOTNET_EnableDiagnostics=0");
    }

    [Fact]
    public void MemoryDenyWriteExecute_is_not_set_because_the_jit_needs_it()
    {
        Assert.Empty(Values("MemoryDenyWriteExecute"));
        Assert.Contains("MemoryDenyWriteExecute", File.ReadAllText(PackagingFiles.Config("systemd", "mixnode.service")), StringComparison.Ordinal);
    }

    [Fact]
    public void Systemd_waits_longer_than_the_node_takes_to_drain()
    {
        TimeSpan stop = PackagingFiles.ParseDuration(Single("TimeoutStopSec"));
        Assert.True(stop > PackagingFiles.NodeShutdownTimeout, $"TimeoutStopSec={stop.TotalSeconds} s is not above ShutdownTimeout {PackagingFiles.NodeShutdownTimeout}");
    }

    /// <summary>Section, key and value of every assignment, in order; comments and blank lines left out.</summary>
    private static List<(string Section, string Key, string Value)> Parse(string path)
    {
        var entries = new List<(string, string, string)>();
        string section = "";
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';'))
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            int equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"{path}: not key=value: {line}");
            entries.Add((section, line[..equals].Trim(), line[(equals + 1)..].Trim()));
        }

        return entries;
    }
}
