using Mixnode.Cli;

return MixnodeCommand.Run(args);
