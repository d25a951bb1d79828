using Mixnode.Node.Tests.Unwrap;

namespace Mixnode.Node.Tests;

/// <summary>
/// Entry point of the test assembly when run as a child process (<c>dotnet Mixnode.Node.Tests.dll …</c>);
/// the test runner does not use it.
/// </summary>
internal static class Program
{
    public static int Main(string[] args) =>
        args is [ReplayFilterChild.Verb, ..] ? ReplayFilterChild.Run(args[1..]) : 0;
}
