namespace Mixnode.Fuzz;

/// <summary>Every target, by the name <c>tests/fuzz/run.sh</c> takes.</summary>
public static class FuzzTargets
{
    public static IReadOnlyList<IFuzzTarget> All { get; } =
    [
        new SphinxUnwrapTarget(),
        new RoutingCommandsTarget(),
        new WireFrameTarget(),
        new NoiseHandshakeTarget(),
        new PkiDocumentTarget(),
        new NodeConfigurationTarget(),
        new AuthorityMessagesTarget(),
        new HandshakeReaderTarget(),
        new TransportFrameTarget(),
        new ClientCommandsTarget(),
        new BatchUnwrapTarget(),
        new KeyFilesTarget(),
        new AuthorityHttpTarget(),
    ];

    public static IFuzzTarget? Find(string name) => All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
}
