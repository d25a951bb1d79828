using SharpFuzz;

namespace Mixnode.Fuzz;

/// <summary>
/// <c>Mixnode.Fuzz TARGET</c>: under afl-fuzz (input on standard input, SharpFuzz's fork server).
/// <c>Mixnode.Fuzz repro TARGET FILE…</c>: runs each file once without AFL and prints the exception and its stack
/// trace of those that crash (exit 1). <c>Mixnode.Fuzz seeds DIR [TARGET…]</c>: writes the seed corpora (DIR/TARGET/…) of
/// the targets named, or of all.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "seeds")
        {
            SeedCorpus.Write(args[1], args[2..]);
            return 0;
        }

        if (args.Length >= 3 && args[0] == "repro")
        {
            return Repro(Target(args[1]), args[2..]);
        }

        if (args.Length == 1 && FuzzTargets.Find(args[0]) is { } target)
        {
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            });
            return 0;
        }

        Console.Error.WriteLine("usage: Mixnode.Fuzz TARGET | repro TARGET FILE... | seeds DIR [TARGET...]");
        Console.Error.WriteLine("targets: " + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
        return 2;
    }

    private static IFuzzTarget Target(string name) =>
        FuzzTargets.Find(name) ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");

    private static int Repro(IFuzzTarget target, IEnumerable<string> files)
    {
        int crashes = 0;
        foreach (string file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"{file}: no crash");
            }
#pragma warning disable CA1031 // reporting every escaped exception is the point
            catch (Exception e)
#pragma warning restore CA1031
            {
                crashes++;
                Console.WriteLine($"{file}: CRASH");
                Console.WriteLine(e);
            }
        }

        return crashes == 0 ? 0 : 1;
    }
}
