using System.CommandLine;

namespace Mixnode.Cli;

/// <summary>The root of the <c>mixnode</c> command line; each verb lives in its own file.</summary>
internal static class MixnodeCommand
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Mixnode: a Katzenpost-compatible Sphinx mix network node.");
        return root.Parse(args).Invoke();
    }
}
