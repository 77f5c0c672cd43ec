using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Hosting;

/// <summary>What the YAML files (configuration, seed) read the same way: scalars by key, and inline policies as JSON.</summary>
internal static class YamlNodes
{
    /// <summary>
    /// Reads a YAML file whose document is a mapping and checks it against <paramref name="shape"/>,
    /// adding what is wrong to <paramref name="errors"/>. A file that is missing, unreadable or not YAML
    /// throws <see cref="InvalidOperationException"/> in one line, with the line and column of a syntax error.
    /// </summary>
    public static YamlMappingNode LoadMapping(string path, string what, YamlShape shape, List<string> errors)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new InvalidOperationException($"there is no {what} at {full}.");
        }

        YamlStream stream;
        try
        {
            stream = YamlLoader.Load(File.ReadAllText(full));
        }
        catch (YamlDotNet.Core.YamlException exception)
        {
            throw new InvalidOperationException($"The {what} {path} is not valid YAML: line {exception.Start.Line}, column {exception.Start.Column}: {Reason(exception)}", exception);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot read the {what} {full}: {exception.Message}", exception);
        }

        if (stream.Documents.Count == 0)
        {
            return new YamlMappingNode();
        }

        var root = stream.Documents[0].RootNode;
        shape.Check(root, "", errors);
        return root as YamlMappingNode ?? new YamlMappingNode();
    }

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

    /// <summary>YamlDotNet's message without the "(Line: …, Col: …, Idx: …) - (…): " it starts with, and on one line.</summary>
    private static string Reason(YamlDotNet.Core.YamlException exception)
    {
        var message = exception.Message;
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && at >= 0)
        {
            message = message[(at + 3)..];
        }

        return message.ReplaceLineEndings(" ").Trim();
    }
}
