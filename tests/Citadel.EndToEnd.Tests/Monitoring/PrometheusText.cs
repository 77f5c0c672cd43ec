using System.Globalization;
using System.Text;

namespace Citadel.EndToEnd.Tests.Monitoring;

/// <summary>One sample of a scrape: the metric name (with its _bucket/_sum/_count/_total suffix), its labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict parser of the Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
/// no .NET library parses it (prometheus-net only writes it), so the tests carry this one. Anything the
/// format does not allow throws: a malformed name, label or value, a TYPE after its samples or twice,
/// a family's samples not together, a sample whose name does not belong to its declared type.
/// </summary>
public sealed class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private PrometheusText()
    {
    }

    /// <summary>The declared type of each family, by family name.</summary>
    public Dictionary<string, string> TypeOf { get; } = [];

    public List<PrometheusSample> Samples { get; } = [];

    public static PrometheusText Parse(string text)
    {
        var scrape = new PrometheusText();
        var help = new HashSet<string>();
        var finished = new HashSet<string>();
        string? current = null;
        var lines = text.Split('\n');
        if (lines[^1].Length != 0)
        {
            throw new FormatException("The exposition must end with a line feed.");
        }

        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            var where = $"line {i + 1}: '{line}'";
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    var family = parts[2];
                    RequireMetricName(family, where);
                    if (parts[1] == "TYPE")
                    {
                        if (parts.Length != 4 || !Types.Contains(parts[3]))
                        {
                            throw new FormatException($"{where}: TYPE needs one of {string.Join(", ", Types)}.");
                        }

                        if (!scrape.TypeOf.TryAdd(family, parts[3]) || HasSamples(scrape, family))
                        {
                            throw new FormatException($"{where}: TYPE given twice, or after the family's samples.");
                        }
                    }
                    else if (!help.Add(family))
                    {
                        throw new FormatException($"{where}: HELP given twice.");
                    }
                }

                continue;
            }

            PrometheusSample sample;
            try
            {
                sample = ParseSample(line, where);
            }
            catch (IndexOutOfRangeException)
            {
                throw new FormatException($"{where}: the sample ends too early.");
            }

            var familyName = FamilyOf(scrape, sample.Name, where);
            if (familyName != current)
            {
                if (current is not null)
                {
                    finished.Add(current);
                }

                if (finished.Contains(familyName))
                {
                    throw new FormatException($"{where}: the samples of {familyName} are not together.");
                }

                current = familyName;
            }

            scrape.Samples.Add(sample);
        }

        return scrape;
    }

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include <paramref name="labels"/> (0 when there is none).</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var matching = Matching(name, labels).ToList();
        return matching.Count switch
        {
            0 => 0,
            1 => matching[0].Value,
            _ => throw new InvalidOperationException($"{matching.Count} samples of {name} match {string.Join(",", labels)}."),
        };
    }

    /// <summary>The samples of <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> Matching(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    private static bool HasSamples(PrometheusText scrape, string family) => scrape.Samples.Any(s => s.Name == family || s.Name.StartsWith(family + "_", StringComparison.Ordinal));

    private static string FamilyOf(PrometheusText scrape, string name, string where)
    {
        if (scrape.TypeOf.TryGetValue(name, out var type))
        {
            if (type is "histogram" or "summary")
            {
                throw new FormatException($"{where}: a {type} has only suffixed samples.");
            }

            return name;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && scrape.TypeOf.TryGetValue(name[..^suffix.Length], out var declared)
                && (declared == "histogram" || (declared == "summary" && suffix != "_bucket")))
            {
                return name[..^suffix.Length];
            }
        }

        // An untyped sample without TYPE is allowed by the format.
        return name;
    }

    private static PrometheusSample ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }

        var name = line[..i];
        RequireMetricName(name, where);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var start = i;
                while (line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                if (!IsName(label, colon: false))
                {
                    throw new FormatException($"{where}: '{label}' is not a label name.");
                }

                i++;
                if (line[i] != '"')
                {
                    throw new FormatException($"{where}: a label value must be quoted.");
                }

                i++;
                var value = new StringBuilder();
                while (line[i] != '"')
                {
                    if (line[i] == '\\')
                    {
                        i++;
                        value.Append(line[i] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"{where}: unknown escape \\{line[i]}."),
                        });
                    }
                    else
                    {
                        value.Append(line[i]);
                    }

                    i++;
                }

                i++;
                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"{where}: label {label} given twice.");
                }

                if (line[i] == ',')
                {
                    i++;
                }
                else if (line[i] != '}')
                {
                    throw new FormatException($"{where}: expected ',' or '}}' after a label.");
                }
            }

            i++;
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"{where}: a space must separate the value.");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length > 2 || (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
        {
            throw new FormatException($"{where}: expected a value and an optional integer timestamp.");
        }

        var number = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => throw new FormatException($"{where}: '{rest[0]}' is not a value."),
        };
        return new PrometheusSample(name, labels, number);
    }

    private static void RequireMetricName(string name, string where)
    {
        if (!IsName(name, colon: true))
        {
            throw new FormatException($"{where}: '{name}' is not a metric name.");
        }
    }

    private static bool IsName(string name, bool colon) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (colon && c == ':'));
}
