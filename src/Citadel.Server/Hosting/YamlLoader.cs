using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Hosting;

/// <summary>
/// Loads the YAML files read at start (configuration, seed) with their nesting bounded. YamlDotNet
/// builds the node tree recursively, so 20,000 nested '[' take seconds and deeper ones end the
/// process with a stack overflow before anything can report them; its event parser does not recurse,
/// so the depth is checked with it first, and with it alias cycles and alias expansion that would
/// make converting an inline policy to JSON endless. No file we read needs more than a few levels.
/// </summary>
internal static class YamlLoader
{
    public const int MaxDepth = 64;

    /// <summary>The most nodes a file may have with its aliases expanded; the largest policy AWS accepts (32 KB) has far fewer.</summary>
    public const long MaxNodes = 100_000;

    /// <summary>
    /// The YAML stream of <paramref name="text"/>. Throws <see cref="YamlException"/> (its start is the
    /// line and column) for bad syntax, nesting deeper than <see cref="MaxDepth"/>, alias cycles, or
    /// aliases that expand past <see cref="MaxNodes"/>.
    /// </summary>
    public static YamlStream Load(string text)
    {
        Check(text);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            throw Unreadable(parser.Current?.Start ?? Mark.Empty);
        }

        return stream;
    }

    /// <summary>
    /// Walks the events once: nesting deeper than <see cref="MaxDepth"/>, an alias inside the collection
    /// it names (a cycle: converting an inline policy to JSON would never end), and aliases that expand
    /// to more than <see cref="MaxNodes"/> nodes (each level of "a: &amp;a [*b, *b, …]" multiplies) are refused.
    /// </summary>
    private static void Check(string text)
    {
        var parser = new Parser(new StringReader(text));
        var expanded = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new List<(string? Anchor, long Nodes)>();
        long total = 0;
        while (Next(parser))
        {
            var current = parser.Current!;
            switch (current)
            {
                case MappingStart or SequenceStart:
                    if (open.Count >= MaxDepth)
                    {
                        throw Refused(current, $"collections are nested deeper than {MaxDepth} levels");
                    }

                    var anchor = ((NodeEvent)current).Anchor;
                    open.Add((anchor.IsEmpty ? null : anchor.Value, 1));
                    break;
                case MappingEnd or SequenceEnd:
                    var (name, nodes) = open[^1];
                    open.RemoveAt(open.Count - 1);
                    if (name is not null)
                    {
                        expanded[name] = nodes;
                    }

                    total = Count(open, nodes, total, current);
                    break;
                case AnchorAlias alias:
                    if (open.Exists(o => o.Anchor == alias.Value.Value))
                    {
                        throw Refused(current, $"the alias *{alias.Value.Value} is inside the collection it names");
                    }

                    total = Count(open, expanded.GetValueOrDefault(alias.Value.Value, 1), total, current);
                    break;
                case Scalar:
                    total = Count(open, 1, total, current);
                    break;
            }
        }
    }

    /// <summary>Adds <paramref name="nodes"/> to the innermost open collection (or to the total at the top) and checks the limit.</summary>
    private static long Count(List<(string? Anchor, long Nodes)> open, long nodes, long total, ParsingEvent at)
    {
        if (open.Count > 0)
        {
            var (anchor, count) = open[^1];
            open[^1] = (anchor, count + nodes);
            nodes = count + nodes;
        }
        else
        {
            total += nodes;
            nodes = total;
        }

        return nodes > MaxNodes ? throw Refused(at, $"aliases expand to more than {MaxNodes} nodes") : total;
    }

    private static YamlException Refused(ParsingEvent at, string reason) =>
        new(at.Start, at.End, reason);

    /// <summary>
    /// The parser's next event. On some malformed input YamlDotNet throws InvalidOperationException or
    /// ArgumentException rather than a YamlException (found by fuzzing, tests/Citadel.Server.Tests/Fuzz/corpus/
    /// config-file and seed-file); they become a syntax error at the last place that was read.
    /// </summary>
    private static bool Next(Parser parser)
    {
        var last = parser.Current?.End ?? Mark.Empty;
        try
        {
            return parser.MoveNext();
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            throw Unreadable(last);
        }
    }

    private static YamlException Unreadable(Mark at) =>
        new(at, at, "the YAML cannot be read from here on");
}
