using System.Diagnostics;
using Mixnode.Cli.Testnet;
using Mixnode.Node;
using Mixnode.Node.Tests.Support;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>Where the deployment files are, and what they must agree with in the node.</summary>
internal static class PackagingFiles
{
    public const int ManagementPort = 9464;
    public const int LinkPort = 30001;
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";

    public static string Root { get; } = RepositoryFiles.Root();

    public static string Config(params string[] parts) => Path.Combine([Root, "config", .. parts]);

    public static string Repo(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The node's stop budget (Mixnode:ShutdownTimeout's default): every supervisor must wait longer.</summary>
    public static TimeSpan NodeShutdownTimeout { get; } = new NodeOptions().ShutdownTimeout;

    /// <summary>Every YAML file (.yaml, .yml) under a folder of config/, sorted.</summary>
    public static IReadOnlyList<string> YamlFiles(string folder) =>
        [.. Directory.EnumerateFiles(Config(folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    /// <summary>A shell script in a temporary folder that runs this build's mixnode (for the config/ scripts' MIXNODE).</summary>
    public static string WriteMixnodeWrapper(string directory)
    {
        NodeLauncher launcher = NodeLauncher.Resolve();
        string path = Path.Combine(directory, "mixnode");
        string command = string.Join(" ", new[] { launcher.FileName }.Concat(launcher.PrefixArguments).Select(Quote));
        File.WriteAllText(path, $"#!/bin/sh\nexec {command} \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>Runs a program to its end (at most two minutes) and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Root,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(" ", arguments)} did not finish in two minutes");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    /// <summary>A program on PATH, or null.</summary>
    public static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Parses a Kubernetes or compose duration ("20s", "1m30s", "90") into a TimeSpan.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        if (int.TryParse(text, out int plainSeconds))
        {
            return TimeSpan.FromSeconds(plainSeconds);
        }

        TimeSpan total = TimeSpan.Zero;
        int number = 0;
        foreach (char c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                number = (number * 10) + (c - '0');
                continue;
            }

            total += c switch
            {
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                's' => TimeSpan.FromSeconds(number),
                _ => throw new FormatException($"duration '{text}'"),
            };
            number = 0;
        }

        return total;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
