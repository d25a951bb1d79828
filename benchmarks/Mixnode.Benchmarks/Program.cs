using BenchmarkDotNet.Running;
using Mixnode.Benchmarks.Node;

// node-forward is an end-to-end measurement over real sockets (see Node/NodeForwardBenchmark.cs), not a
// BenchmarkDotNet suite; node-forward-child is the node process it starts. Anything else goes to BenchmarkDotNet.
return args switch
{
    ["node-forward", .. var rest] => await NodeForwardBenchmark.RunAsync(rest),
    ["node-forward-child", .. var rest] => await NodeForwardChild.RunAsync(rest),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(NodeForwardBenchmark).Assembly).Run(args);
    return 0;
}
