using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Hosting;

/// <summary>
/// What a YAML file (configuration, seed) may hold, declared once: mappings with their known keys, lists
/// and scalars. <see cref="Check"/> reports, with line and column, every key that is not known (a typo
/// such as <c>regoin:</c> would otherwise be ignored and its default silently used) and every value of
/// the wrong kind.
/// </summary>
internal sealed class YamlShape
{
    private readonly Kind _kind;
    private readonly (string Key, YamlShape Shape)[] _keys = [];
    private readonly YamlShape? _items;

    private YamlShape(Kind kind, (string Key, YamlShape Shape)[]? keys = null, YamlShape? items = null)
    {
        _kind = kind;
        _keys = keys ?? [];
        _items = items;
    }

    private enum Kind
    {
        Scalar,
        Mapping,
        List,
        Anything,
    }

    public static YamlShape Scalar { get; } = new(Kind.Scalar);

    /// <summary>Free-form content, such as an inline policy document.</summary>
    public static YamlShape Anything { get; } = new(Kind.Anything);

    public static YamlShape Mapping(params (string Key, YamlShape Shape)[] keys) => new(Kind.Mapping, keys);

    public static YamlShape ListOf(YamlShape items) => new(Kind.List, items: items);

    /// <summary>Adds a problem to <paramref name="errors"/> for every unknown key and every value of the wrong kind under <paramref name="node"/>.</summary>
    public void Check(YamlNode node, string where, List<string> errors)
    {
        var at = $"line {node.Start.Line}, column {node.Start.Column}";
        var name = where.Length == 0 ? "the file" : where;
        switch (_kind)
        {
            case Kind.Anything:
                return;
            case Kind.Scalar when node is not YamlScalarNode:
                errors.Add($"{at}: {name} must be a single value, not a list or mapping");
                return;
            case Kind.List when node is not YamlSequenceNode:
                errors.Add($"{at}: {name} must be a list");
                return;
            case Kind.List:
                var index = 0;
                foreach (var item in ((YamlSequenceNode)node).Children)
                {
                    _items!.Check(item, $"{where}[{index++}]", errors);
                }

                return;
            case Kind.Mapping when node is not YamlMappingNode:
                errors.Add($"{at}: {name} must be a mapping of keys to values");
                return;
            case Kind.Mapping:
                foreach (var (keyNode, value) in ((YamlMappingNode)node).Children)
                {
                    var key = (keyNode as YamlScalarNode)?.Value ?? "";
                    var path = where.Length == 0 ? key : $"{where}.{key}";
                    var known = Array.Find(_keys, k => k.Key == key).Shape;
                    if (known is null)
                    {
                        errors.Add($"line {keyNode.Start.Line}, column {keyNode.Start.Column}: unknown key \"{path}\" (known here: {string.Join(", ", _keys.Select(k => k.Key))})");
                    }
                    else if (!IsNull(value))
                    {
                        known.Check(value, path, errors);
                    }
                }

                return;
        }
    }

    /// <summary>A key with nothing after it (<c>users:</c>) reads as absent, as the loaders treat it.</summary>
    private static bool IsNull(YamlNode value) =>
        value is YamlScalarNode { Value: null or "" or "~" or "null", Style: not (YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted) };
}
