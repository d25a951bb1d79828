namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// config/systemd/mixnode.service: a notify service with no privileges, a read-only system and no diagnostics; and
/// mixnode-authority.service, the directory authority, hardened exactly as strictly.
/// </summary>
public sealed class SystemdUnitTests
{
    private static readonly Lazy<IReadOnlyList<(string Section, string Key, string Value)>> s_authority = new(() => Parse(PackagingFiles.Config("systemd", "mixnode-authority.service")));

    /// <summary>The settings in which the authority's unit may differ from the relay's: what it runs and where it keeps its files.</summary>
    private static readonly string[] s_ownSettings = ["Description", "Type", "NotifyAccess", "User", "Group", "WorkingDirectory", "ExecStart", "StateDirectory", "ReadWritePaths"];

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
    public void The_authority_unit_is_hardened_exactly_like_the_relay_unit()
    {
        // Every setting of the relay's unit outside what it runs and where its files are has the same values in the
        // authority's unit (Environment: the relay's own runtime tuning aside), and the authority's adds no other.
        static ILookup<string, string> Settings(IReadOnlyList<(string Section, string Key, string Value)> unit) =>
            unit.Where(e => !s_ownSettings.Contains(e.Key))
                .Where(e => !(e.Key == "Environment" && e.Value.StartsWith("DOTNET_SYSTEM_NET_SOCKETS", StringComparison.Ordinal)))
                .ToLookup(e => $"[{e.Section}] {e.Key}", e => e.Value, StringComparer.Ordinal);

        ILookup<string, string> relay = Settings(s_unit.Value);
        ILookup<string, string> authority = Settings(s_authority.Value);
        foreach (IGrouping<string, string> setting in relay)
        {
            Assert.True(authority.Contains(setting.Key), $"mixnode-authority.service has no {setting.Key}=");
            Assert.Equal(setting.ToArray(), authority[setting.Key].ToArray());
        }

        Assert.Empty(authority.Select(g => g.Key).Except(relay.Select(g => g.Key)));
        Assert.DoesNotContain(s_authority.Value, e => e.Key == "MemoryDenyWriteExecute");
    }

    [Fact]
    public void The_authority_runs_as_its_own_user_with_its_own_state_and_configuration()
    {
        string Authority(string key) => s_authority.Value.Last(e => e.Section == "Service" && e.Key == key).Value;
        Assert.Equal("mixnode-authority", Authority("User"));
        Assert.Equal("mixnode-authority", Authority("StateDirectory"));
        Assert.Equal(["/var/lib/mixnode-authority"], Authority("ReadWritePaths").Split(' '));
        Assert.Equal("/var/lib/mixnode-authority", Authority("WorkingDirectory"));

        // No READY=1 from `mixnode authority run`: a notify unit would never leave "activating".
        Assert.Equal("exec", Authority("Type"));
        Assert.Equal("/opt/mixnode/mixnode authority run --config /etc/mixnode-authority/authority.json", Authority("ExecStart"));
        AssertRunsWithConfig(Authority("ExecStart"), "mixnode authority run");
        AssertRunsWithConfig(Single("ExecStart"), "mixnode run");
    }

    [Fact]
    public void Systemd_waits_longer_than_the_node_takes_to_drain()
    {
        TimeSpan stop = PackagingFiles.ParseDuration(Single("TimeoutStopSec"));
        Assert.True(stop > PackagingFiles.NodeShutdownTimeout, $"TimeoutStopSec={stop.TotalSeconds} s is not above ShutdownTimeout {PackagingFiles.NodeShutdownTimeout}");
    }

    /// <summary>
    /// The ExecStart= command line is one the CLI runs with its --config file: given a missing file instead, the
    /// program says that file does not exist (a misspelt option would have been taken as a setting instead).
    /// </summary>
    private static void AssertRunsWithConfig(string execStart, string program)
    {
        string[] words = execStart.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("/opt/mixnode/mixnode", words[0]);
        int config = Array.IndexOf(words, "--config");
        Assert.True(config > 0 && config == words.Length - 2, $"{execStart}: --config FILE is not the last argument");
        string missing = Path.Combine(Path.GetTempPath(), $"mixnode-missing-{Guid.NewGuid():N}", Path.GetFileName(words[^1]));
        string[] args = [.. words[1..^1], missing];
        using var output = new StringWriter();
        int code = MixnodeCommand.Run(args, output);
        Assert.Equal(2, code);
        Assert.Contains($"{program}: configuration file '{missing}' does not exist", output.ToString(), StringComparison.Ordinal);
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
