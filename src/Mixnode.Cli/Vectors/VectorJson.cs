using System.Globalization;
using System.Text.Json;

namespace Mixnode.Cli.Vectors;

/// <summary>Field readers for vector files that fail with a message naming the field.</summary>
internal static class VectorJson
{
    public static JsonElement Field(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw new VectorFormatException($"expected an object holding field '{name}', found {Describe(obj.ValueKind)}");
        }

        if (!obj.TryGetProperty(name, out JsonElement value))
        {
            throw new VectorFormatException($"field '{name}' is missing");
        }

        return value;
    }

    public static bool HasField(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out _);

    public static string String(JsonElement obj, string name)
    {
        JsonElement value = Field(obj, name);
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new VectorFormatException($"field '{name}': expected a string, found {Describe(value.ValueKind)}");
    }

    public static byte[] Hex(JsonElement obj, string name) => ParseHex(String(obj, name), name);

    public static byte[] ParseHex(string text, string name)
    {
        if (text.Length % 2 != 0)
        {
            throw new VectorFormatException($"field '{name}': hex string has odd length {text.Length}");
        }

        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            throw new VectorFormatException($"field '{name}': not a hex string");
        }
    }

    public static int Int32(JsonElement obj, string name)
    {
        JsonElement value = Field(obj, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n)
            ? n
            : throw new VectorFormatException($"field '{name}': expected a 32-bit integer, found {Describe(value.ValueKind)} {Preview(value)}");
    }

    public static long Int64(JsonElement obj, string name)
    {
        JsonElement value = Field(obj, name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n)
            ? n
            : throw new VectorFormatException($"field '{name}': expected an integer, found {Describe(value.ValueKind)} {Preview(value)}");
    }

    public static JsonElement Array(JsonElement obj, string name)
    {
        JsonElement value = Field(obj, name);
        return value.ValueKind == JsonValueKind.Array
            ? value
            : throw new VectorFormatException($"field '{name}': expected an array, found {Describe(value.ValueKind)}");
    }

    /// <summary>Reads an array of hex strings; names the element (<c>name[3]</c>) that is malformed.</summary>
    public static byte[][] HexArray(JsonElement obj, string name)
    {
        JsonElement array = Array(obj, name);
        var result = new byte[array.GetArrayLength()][];
        int i = 0;
        foreach (JsonElement item in array.EnumerateArray())
        {
            string element = string.Create(CultureInfo.InvariantCulture, $"{name}[{i}]");
            result[i++] = item.ValueKind == JsonValueKind.String
                ? ParseHex(item.GetString()!, element)
                : throw new VectorFormatException($"field '{element}': expected a hex string, found {Describe(item.ValueKind)}");
        }

        return result;
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Preview(JsonElement value)
    {
        string raw = value.GetRawText();
        return raw.Length <= 24 ? raw : raw[..24] + "…";
    }
}
