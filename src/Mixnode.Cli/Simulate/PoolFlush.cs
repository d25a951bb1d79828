namespace Mixnode.Cli.Simulate;

/// <summary>One flush of a pool mix as the adversary sees it: when, how many packets were waiting, how many left.</summary>
internal readonly record struct PoolFlush(double Time, int PoolSize, int Sent);
