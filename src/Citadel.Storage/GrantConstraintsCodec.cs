using System.Text;
using System.Text.Json;
using Citadel.Core.Grants;

namespace Citadel.Storage;

/// <summary>Grant constraints as stored: {"EncryptionContextEquals": {...}, "EncryptionContextSubset": {...}}. Shared by every provider.</summary>
public static class GrantConstraintsCodec
{
    public static string? Encode(GrantConstraints? constraints)
    {
        if (constraints is null)
        {
            return null;
        }

        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            WriteMap(writer, "EncryptionContextEquals", constraints.EncryptionContextEquals);
            WriteMap(writer, "EncryptionContextSubset", constraints.EncryptionContextSubset);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static GrantConstraints Decode(string json)
    {
        using var document = JsonDocument.Parse(json);
        return new GrantConstraints(ReadMap(document.RootElement, "EncryptionContextEquals"), ReadMap(document.RootElement, "EncryptionContextSubset"));
    }

    private static void WriteMap(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            return;
        }

        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }

    private static Dictionary<string, string>? ReadMap(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element))
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            map[property.Name] = property.Value.GetString() ?? "";
        }

        return map;
    }
}
