using System.Diagnostics;

namespace Mixnode.Cli.Testnet;

/// <summary>
/// How to start this same mixnode build as a child process: the apphost (<c>mixnode</c>) directly when that is what
/// runs now, otherwise <c>dotnet mixnode.dll</c> (run via <c>dotnet mixnode.dll</c>, or hosted by a test runner).
/// </summary>
internal sealed record NodeLauncher(string FileName, IReadOnlyList<string> PrefixArguments)
{
    /// <summary>
    /// The runtime's switch that runs socket completions on its event thread instead of waking a thread-pool thread
    /// for each. Every node continuation after a socket operation is short and never blocks (pipes with inline
    /// schedulers, then a bounded queue), so the wake-up per received batch is pure cost: measured on the testnet at
    /// 3,000/s, p99 latency above the chosen delays 1.7–2.2 → 1.3–1.7 ms, at 6,000/s 3.2 ms. Set for the nodes unless
    /// the caller's environment already says otherwise; docs/node.md recommends it for deployments.
    /// </summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public const string ManagementSetting = "Mixnode:Management:ListenAddress";

    public const string AuthorityManagementSetting = "Mixnode:Authority:Management:ListenAddress";

    public static NodeLauncher Resolve()
    {
        string? process = Environment.ProcessPath;
        string processName = process is null ? "" : Path.GetFileNameWithoutExtension(process);
        if (string.Equals(processName, "mixnode", StringComparison.OrdinalIgnoreCase))
        {
            return new NodeLauncher(process!, []);
        }

        string assembly = typeof(NodeLauncher).Assembly.Location;
        if (assembly.Length == 0)
        {
            // Single-file publish: the assembly has no file of its own and the running executable is mixnode itself.
            return new NodeLauncher(process ?? throw new TestnetException("cannot find the mixnode executable to start nodes with"), []);
        }

        // The muxer that runs us, else the one the SDK names for child processes (test runners), else dotnet on PATH.
        string dotnet = string.Equals(processName, "dotnet", StringComparison.OrdinalIgnoreCase)
            ? process!
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return new NodeLauncher(dotnet, [assembly]);
    }

    public ProcessStartInfo StartInfo(TestnetNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var info = new ProcessStartInfo(FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = node.Directory,
        };
        foreach (string argument in PrefixArguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            info.Environment[InlineCompletionsVariable] = "1";
        }

        if (node.IsAuthority)
        {
            info.ArgumentList.Add("authority");
        }

        info.ArgumentList.Add("run");
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(node.ConfigPath);

        // Also in the config file, but arguments win over environment variables: the testnet polls this address for
        // readiness, and an inherited MIXNODE__MANAGEMENT__LISTENADDRESS would move every node to one shared port.
        info.ArgumentList.Add((node.IsAuthority ? AuthorityManagementSetting : ManagementSetting) + "=" + node.ManagementAddress);
        return info;
    }
}
