using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mixnode.Pki;

/// <summary>How Mixnode writes its JSON files (descriptors, network documents): indented, and without escaping '+' in
/// base64 as \u002B, because people read and diff these files (they are never embedded in HTML); "\n" on every OS so
/// that the same document signs to the same bytes everywhere.</summary>
internal static class JsonFormat
{
    public static JsonWriterOptions Indented { get; } = new() { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
