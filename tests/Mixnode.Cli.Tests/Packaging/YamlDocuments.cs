using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mixnode.Cli.Tests.Packaging;

/// <summary>
/// YAML files as plain trees for the packaging tests: a mapping is a <see cref="YamlMap"/>, a sequence a
/// <c>List&lt;object?&gt;</c>, a scalar its text (null for an empty or <c>null</c>/<c>~</c> plain scalar). Multi-document
/// streams give one tree per document; merge keys (<c>&lt;&lt;: *anchor</c>, as compose files use them) are resolved.
/// </summary>
internal static class YamlDocuments
{
    public static IReadOnlyList<YamlMap> Load(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(reader)));
        var documents = new List<YamlMap>();
        foreach (YamlDocument document in stream.Documents)
        {
            if (document.RootNode is YamlScalarNode { Value: null or "" })
            {
                continue;
            }

            documents.Add(Convert(document.RootNode) as YamlMap
                ?? throw new InvalidDataException($"{path}: a document whose root is not a mapping"));
        }

        return documents;
    }

    public static YamlMap LoadSingle(string path) =>
        Load(path) is [var only] ? only : throw new InvalidDataException($"{path}: expected exactly one YAML document");

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new YamlMap(mapping.Children.Select(c => (Key(c.Key), Convert(c.Value)))),
        YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw new InvalidDataException($"unexpected YAML node {node.NodeType} at {node.Start}"),
    };

    private static string Key(YamlNode key) =>
        key is YamlScalarNode { Value: { } text } ? text : throw new InvalidDataException($"a mapping key that is not a scalar at {key.Start}");
}

/// <summary>A YAML mapping with string keys, in file order, and typed look-ups that name the missing path.</summary>
internal sealed class YamlMap
{
    private readonly List<KeyValuePair<string, object?>> _entries;

    public YamlMap(IEnumerable<(string Key, object? Value)> entries)
    {
        _entries = [.. entries.Select(e => new KeyValuePair<string, object?>(e.Key, e.Value))];
    }

    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    public IReadOnlyList<KeyValuePair<string, object?>> Entries => _entries;

    public bool Contains(string key) => _entries.Exists(e => e.Key == key);

    public object? Get(string key) => _entries.Find(e => e.Key == key).Value;

    public YamlMap? Map(string key) => Get(key) as YamlMap;

    public YamlMap RequireMap(string key) => Map(key) ?? throw new KeyNotFoundException($"no mapping '{key}' (keys: {string.Join(", ", Keys)})");

    public IReadOnlyList<object?> List(string key) => Get(key) as List<object?> ?? [];

    public IEnumerable<YamlMap> Maps(string key) => List(key).OfType<YamlMap>();

    public string? Text(string key) => Get(key) as string;

    public string RequireText(string key) => Text(key) ?? throw new KeyNotFoundException($"no scalar '{key}' (keys: {string.Join(", ", Keys)})");

    /// <summary>Follows a dotted path of mapping keys (keys that contain dots cannot be reached this way).</summary>
    public object? At(string path)
    {
        object? current = this;
        foreach (string part in path.Split('.'))
        {
            current = (current as YamlMap)?.Get(part);
        }

        return current;
    }

    public IReadOnlyDictionary<string, string?> ToTextDictionary() =>
        _entries.ToDictionary(e => e.Key, e => e.Value as string, StringComparer.Ordinal);
}
