using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>The root Dockerfile, read as text: a multi-stage build that runs the node as a non-root user.</summary>
public sealed partial class DockerfileTests
{
    private static readonly Lazy<IReadOnlyList<(string Instruction, string Arguments)>> s_instructions = new(() => Parse(File.ReadAllLines(PackagingFiles.Repo("Dockerfile"))));

    private static IReadOnlyList<(string Instruction, string Arguments)> Instructions => s_instructions.Value;

    /// <summary>The runtime stage: the instructions after the last FROM.</summary>
    private static IReadOnlyList<(string Instruction, string Arguments)> Runtime =>
        [.. Instructions.Skip(Instructions.Select((x, i) => (x, i)).Last(p => p.x.Instruction == "FROM").i)];

    [Fact]
    public void It_is_multi_stage_sdk_then_aspnet()
    {
        string[] froms = [.. Instructions.Where(i => i.Instruction == "FROM").Select(i => i.Arguments)];
        Assert.True(froms.Length >= 2, "fewer than two FROM: not multi-stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", froms[0], StringComparison.Ordinal);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", froms[^1], StringComparison.Ordinal);
        Assert.Contains(Runtime, i => i.Instruction == "COPY" && i.Arguments.StartsWith("--from=", StringComparison.Ordinal));
    }

    [Fact]
    public void The_build_stage_has_gcc_and_publishes_the_cli()
    {
        string[] runs = [.. Instructions.TakeWhile(i => i != Runtime[0]).Where(i => i.Instruction == "RUN").Select(i => i.Arguments)];
        Assert.Contains(runs, r => r.Contains("apt-get install", StringComparison.Ordinal) && Regex.IsMatch(r, @"\bgcc\b"));
        Assert.Contains(runs, r => r.Contains("dotnet publish src/Mixnode.Cli", StringComparison.Ordinal) && r.Contains("-c Release", StringComparison.Ordinal) && r.Contains("-o /app", StringComparison.Ordinal));
    }

    [Fact]
    public void The_restore_step_copies_every_project_the_cli_needs()
    {
        // A project added to the CLI's references but not copied before `dotnet restore` breaks the image build.
        var copied = Instructions.Where(i => i.Instruction == "COPY").Select(i => i.Arguments.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (string project in ProjectClosure(PackagingFiles.Repo("src", "Mixnode.Cli", "Mixnode.Cli.csproj")))
        {
            string relative = Path.GetRelativePath(PackagingFiles.Root, project).Replace('\\', '/');
            Assert.True(copied.Contains(relative), $"the Dockerfile does not COPY {relative} before restoring");
        }

        foreach (string file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" })
        {
            Assert.Contains(Instructions, i => i.Instruction == "COPY" && i.Arguments.Split(' ').Contains(file));
        }
    }

    [Fact]
    public void Every_copied_source_exists_and_is_not_docker_ignored()
    {
        string[] ignored = [.. File.ReadAllLines(PackagingFiles.Repo(".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];
        foreach ((_, string arguments) in Instructions.Where(i => i.Instruction == "COPY" && !i.Arguments.StartsWith("--from=", StringComparison.Ordinal)))
        {
            string[] parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (string source in parts[..^1])
            {
                string path = PackagingFiles.Repo(source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"COPY {source}: not in the repository");
                Assert.DoesNotContain(source.TrimEnd('/') + "/", ignored);
                Assert.DoesNotContain(source.TrimEnd('/'), ignored);
            }
        }

        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains(".git/", ignored);
    }

    [Fact]
    public void The_node_runs_as_a_fixed_non_root_user()
    {
        string user = Runtime.Last(i => i.Instruction == "USER").Arguments.Split(':')[0];
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.True(int.TryParse(user, out int uid) && uid >= 1000, $"USER {user}: use a fixed numeric uid");
    }

    [Fact]
    public void Healthcheck_asks_health_live()
    {
        string healthcheck = Runtime.Single(i => i.Instruction == "HEALTHCHECK").Arguments;
        int cmd = healthcheck.IndexOf("CMD ", StringComparison.Ordinal);
        Assert.True(cmd >= 0, "HEALTHCHECK without CMD");
        string[] command = JsonSerializer.Deserialize<string[]>(healthcheck[(cmd + 4)..]) ?? [];
        string script = string.Join(" ", command);
        Assert.Contains(PackagingFiles.LivePath, script, StringComparison.Ordinal);
        Assert.Contains("9464", script, StringComparison.Ordinal);
        Assert.Contains("--timeout=", healthcheck, StringComparison.Ordinal);
    }

    [Fact]
    public void Entrypoint_runs_mixnode_run_with_the_config_file()
    {
        string[] entrypoint = JsonSerializer.Deserialize<string[]>(Runtime.Single(i => i.Instruction == "ENTRYPOINT").Arguments) ?? [];
        Assert.Equal(["/app/mixnode", "run", "--config", "/etc/mixnode/appsettings.json"], entrypoint);
        Assert.Contains(Runtime, i => i.Instruction == "COPY" && i.Arguments.EndsWith("/etc/mixnode/appsettings.json", StringComparison.Ordinal));
    }

    [Fact]
    public void The_runtime_image_sets_the_environment_volume_and_ports()
    {
        string env = string.Join(" ", Runtime.Where(i => i.Instruction == "ENV").Select(i => i.Arguments));
        Assert.Contains("DOTNET_EnableDiagnostics=0", env, StringComparison.Ordinal);
        Assert.Contains("MIXNODE__MANAGEMENT__LISTENADDRESS=0.0.0.0:9464", env, StringComparison.Ordinal);
        Assert.Contains(Runtime, i => i.Instruction == "VOLUME" && i.Arguments == "/var/lib/mixnode");
        Assert.Contains(Runtime, i => i.Instruction == "WORKDIR");
        string[] exposed = [.. Runtime.Where(i => i.Instruction == "EXPOSE").SelectMany(i => i.Arguments.Split(' '))];
        Assert.Contains("30001", exposed);
        Assert.Contains("9464", exposed);
    }

    /// <summary>Instructions with their arguments; continuation lines joined, comments and blank lines left out.</summary>
    private static List<(string Instruction, string Arguments)> Parse(IEnumerable<string> lines)
    {
        var instructions = new List<(string, string)>();
        string? pending = null;
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending is null))
            {
                continue;
            }

            bool continues = line.EndsWith('\\');
            string text = continues ? line[..^1].TrimEnd() : line;
            pending = pending is null ? text : pending + " " + text;
            if (!continues)
            {
                Match match = InstructionLine().Match(pending);
                Assert.True(match.Success, $"not an instruction: {pending}");
                instructions.Add((match.Groups[1].Value.ToUpperInvariant(), Regex.Replace(match.Groups[2].Value, @"\s+", " ").Trim()));
                pending = null;
            }
        }

        Assert.Null(pending);
        return instructions;
    }

    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out string? current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            foreach (XElement reference in XDocument.Load(current).Descendants("ProjectReference"))
            {
                string include = (string?)reference.Attribute("Include") ?? "";
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, include.Replace('\\', '/'))));
            }
        }

        return seen;
    }

    [GeneratedRegex(@"^([A-Za-z]+)\s+(.*)$")]
    private static partial Regex InstructionLine();
}
