using System.Text.RegularExpressions;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Node.Tests.Architecture;

/// <summary>
/// The node's folders read as a packet's path — in (Ingress, Clients) → Unwrap → Mixing → Delivery / Forwarding — and
/// each stage may depend only on stages after it (through their small interfaces) and on the shared pieces below the
/// path (Keys, Topology, Telemetry and the root namespace). Cover is a source beside Unwrap: it makes packets and
/// hands them to the mixer. Hosting is the composition root and may use everything; Management (the operator's HTTP
/// endpoint) reads the composed node's status and may use everything too. Below the node, in projects of their own,
/// are what it shares with clients and authorities (Mixnode.Pki: documents and signatures; Mixnode.Links: Noise links
/// and wire framing): those, the client library and the authority never use the node.
/// </summary>
public sealed partial class StageDependencyTests
{
    /// <summary>Rank along the path; a stage may import only stages of a higher rank.</summary>
    private static readonly Dictionary<string, int> s_stageRank = new(StringComparer.Ordinal)
    {
        ["Ingress"] = 0,
        ["Clients"] = 0,
        ["Unwrap"] = 1,
        ["Cover"] = 1,
        ["Mixing"] = 2,
        ["Delivery"] = 3,
        ["Forwarding"] = 4,
    };

    private static readonly HashSet<string> s_shared = ["Keys", "Topology", "Telemetry"];

    /// <summary>Projects below the node (or beside it) that must not reference it.</summary>
    private static readonly string[] s_independent = ["Mixnode.Sphinx", "Mixnode.Noise", "Mixnode.Pki", "Mixnode.Links", "Mixnode.Client", "Mixnode.Authority"];

    [Fact]
    public void Every_stage_depends_only_on_later_stages_and_shared_pieces()
    {
        string nodeSource = Path.Combine(RepositoryFiles.Root(), "src", "Mixnode.Node");
        var violations = new List<string>();
        foreach (string file in Directory.EnumerateFiles(nodeSource, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(nodeSource, file);
            string folder = relative.Split(Path.DirectorySeparatorChar)[0];
            if (folder is "obj" or "bin" || !relative.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (string imported in ImportedNodeNamespaces(File.ReadAllText(file)))
            {
                string target = imported.Split('.')[0];
                if (target == folder || folder is "Hosting" or "Management")
                {
                    continue;
                }

                bool allowed = s_shared.Contains(target)
                    || (s_stageRank.TryGetValue(folder, out int from) && s_stageRank.TryGetValue(target, out int to) && to > from);
                if (!allowed)
                {
                    violations.Add($"{relative} uses Mixnode.Node.{imported}");
                }
            }
        }

        Assert.True(violations.Count == 0, "dependencies against the packet's path:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_shared_pieces_know_no_stage()
    {
        string nodeSource = Path.Combine(RepositoryFiles.Root(), "src", "Mixnode.Node");
        var violations = new List<string>();
        foreach (string folder in s_shared)
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(nodeSource, folder), "*.cs", SearchOption.AllDirectories))
            {
                violations.AddRange(ImportedNodeNamespaces(File.ReadAllText(file))
                    .Where(n => s_stageRank.ContainsKey(n.Split('.')[0]))
                    .Select(n => $"{Path.GetRelativePath(nodeSource, file)} uses Mixnode.Node.{n}"));
            }
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void The_shared_projects_the_client_and_the_authority_never_use_the_node()
    {
        var violations = new List<string>();
        foreach (string project in s_independent)
        {
            string directory = Path.Combine(RepositoryFiles.Root(), "src", project);
            string csproj = File.ReadAllText(Path.Combine(directory, project + ".csproj"));
            if (csproj.Contains("Mixnode.Node.csproj", StringComparison.Ordinal))
            {
                violations.Add($"{project}.csproj references Mixnode.Node");
            }

            foreach (string file in Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(directory, file);
                if (!relative.StartsWith("obj", StringComparison.Ordinal) && !relative.StartsWith("bin", StringComparison.Ordinal)
                    && ImportedNodeNamespaces(File.ReadAllText(file)).Any())
                {
                    violations.Add($"{project}/{relative} uses Mixnode.Node");
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    private static IEnumerable<string> ImportedNodeNamespaces(string source) =>
        NodeNamespaceUse().Matches(source).Select(m => m.Groups["ns"].Value).Distinct();

    // "using Mixnode.Node.X;" and fully qualified "Mixnode.Node.X.Type" outside comments' crefs alike.
    [GeneratedRegex(@"\bMixnode\.Node\.(?<ns>[A-Z][A-Za-z]*(?:\.[A-Z][A-Za-z]*)*?)(?=;|\.[A-Z][A-Za-z]*\b)")]
    private static partial Regex NodeNamespaceUse();
}
