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
    /// The YAML stream of <paramref name="text"/>. Throws <see cref="YamlException"/> (with line and
    /// column) for bad syntax or nesting deeper than <see cref="MaxDepth"/>.
    /// </summary>
    public static YamlStream Load(string text)
    {
        CheckDepth(text);
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream;
    }

    private static void CheckDepth(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        throw new YamlException(parser.Current.Start, parser.Current.End, $"collections are nested deeper than {MaxDepth} levels");
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }
}
