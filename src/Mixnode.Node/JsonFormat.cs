using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mixnode.Node;

/// <summary>How Mixnode writes its JSON files (descriptors, network documents): indented, and without escaping '+' in
/// base64 as \u002B, because people read and diff these files. They are never embedded in HTML.</summary>
internal static class JsonFormat
{
    public static JsonWriterOptions Indented { get; } = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
