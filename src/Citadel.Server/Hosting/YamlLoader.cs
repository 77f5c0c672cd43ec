using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Citadel.Server.Hosting;

/// <summary>
/// Loads the YAML files read at start (configuration, seed) with their nesting bounded. YamlDotNet
/// builds the node tree recursively, so 20,000 nested '[' take seconds and deeper ones end the
/// process with a stack overflow before anything can report them; its event parser does not recurse,
/// so the depth is checked with it first. No file we read needs more than a handful of levels.
/// </summary>
internal static class YamlLoader
{
    public const int MaxDepth = 64;

    /// <summary>
    /// The first document's root mapping, or an empty one when it has none. Throws
    /// <see cref="YamlException"/> (with line and column) for bad syntax or nesting deeper than <see cref="MaxDepth"/>.
    /// </summary>
    public static YamlMappingNode LoadRoot(string path)
    {
        var text = File.ReadAllText(path);
        CheckDepth(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode mapping ? mapping : new YamlMappingNode();
    }

    private static void CheckDepth(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (Next(parser))
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        throw new YamlException(parser.Current.Start, parser.Current.End, $"line {parser.Current.Start.Line}, column {parser.Current.Start.Column}: collections are nested deeper than {MaxDepth} levels");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    /// <summary>
    /// The parser's next event. YamlDotNet's scanner throws a bare InvalidOperationException on some
    /// malformed input (found by fuzzing, tests/Citadel.Server.Tests/Fuzz/corpus/config-file); it becomes a
    /// <see cref="YamlException"/> at the last place that was read, like any other syntax error.
    /// </summary>
    private static bool Next(Parser parser)
    {
        var last = parser.Current?.End ?? Mark.Empty;
        try
        {
            return parser.MoveNext();
        }
        catch (InvalidOperationException)
        {
            throw new YamlException(last, last, $"line {last.Line}, column {last.Column}: the YAML cannot be read from here on");
        }
    }
}
