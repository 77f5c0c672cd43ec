using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Hosting;

/// <summary>What the YAML files (configuration, seed) read the same way: scalars by key, and inline policies as JSON.</summary>
internal static class YamlNodes
{
    public static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>A policy given inline under <paramref name="key"/>: JSON text as it is, or YAML converted to JSON; null when absent.</summary>
    public static string? InlineJson(YamlMappingNode node, string key)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return null;
        }

        if (value is YamlScalarNode text)
        {
            return text.Value;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(value, writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>YAML as JSON: mappings are objects, sequences arrays, scalars strings (booleans and numbers stay strings, which IAM accepts).</summary>
    private static void WriteJson(YamlNode node, Utf8JsonWriter writer)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in mapping.Children)
                {
                    // A key that is a collection is written as its YAML text, which no policy element is: the policy parser refuses it.
                    writer.WritePropertyName(key is YamlScalarNode scalarKey ? scalarKey.Value ?? "" : key.ToString());
                    WriteJson(value, writer);
                }

                writer.WriteEndObject();
                break;
            case YamlSequenceNode sequence:
                writer.WriteStartArray();
                foreach (var item in sequence.Children)
                {
                    WriteJson(item, writer);
                }

                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }
}
