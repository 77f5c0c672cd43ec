using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Citadel.Server.Query;

/// <summary>
/// The parameters of a query-protocol request: the form-encoded body (application/x-www-form-urlencoded, as the
/// AWS CLI and SDKs send it), parsed once. Names are case-sensitive as AWS's are; a name sent twice is refused
/// rather than one of its values picked, so what is signed, authorized and audited is what is executed.
/// </summary>
internal sealed class QueryForm
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Dictionary<string, string> _values;

    private QueryForm(Dictionary<string, string> values) => _values = values;

    public static QueryForm Empty { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal));

    public int Count => _values.Count;

    /// <summary>Parses the body; a body that is not UTF-8 or names a parameter twice is an error saying which.</summary>
    public static bool TryParse(ReadOnlySpan<byte> body, [NotNullWhen(true)] out QueryForm? form, [NotNullWhen(false)] out string? error)
    {
        form = null;
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            error = "The request body is not UTF-8 text: a query request is a form-encoded (application/x-www-form-urlencoded) body.";
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Length > 0)
        {
            foreach (var (name, value) in QueryHelpers.ParseQuery(text[0] == '?' ? text : "?" + text))
            {
                if (value.Count != 1)
                {
                    error = $"The parameter {name} appears more than once in the request.";
                    return false;
                }

                if (ContainsControl(name))
                {
                    error = "A parameter name holds control characters.";
                    return false;
                }

                values[name] = value.ToString();
            }
        }

        form = new QueryForm(values);
        error = null;
        return true;
    }

    public string? this[string name] => _values.GetValueOrDefault(name);

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>An integer parameter; false (with AWS's validation wording) when it is sent but is not one.</summary>
    public bool TryGetInt(string name, out int? value, out QueryError? error)
    {
        value = null;
        error = null;
        if (this[name] is not { } text)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = QueryErrors.Validation($"1 validation error detected: Value '{text}' at '{QueryErrors.LowerFirst(name)}' failed to satisfy constraint: Member must be a number");
        return false;
    }

    /// <summary>
    /// A list member as the query protocol flattens it: <c>{name}.member.1</c>, <c>{name}.member.2</c> …, read in
    /// order until the first gap. <paramref name="read"/> takes the prefix of one member (e.g. "Tags.member.1").
    /// </summary>
    public List<T> List<T>(string name, Func<string, T> read)
    {
        var items = new List<T>();
        for (var i = 1; i <= 1000; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"{name}.member.{i}");
            if (!HasPrefix(prefix))
            {
                break;
            }

            items.Add(read(prefix));
        }

        return items;
    }

    /// <summary>Whether any parameter is named <paramref name="prefix"/> or starts with it and a dot.</summary>
    private bool HasPrefix(string prefix)
    {
        if (_values.ContainsKey(prefix))
        {
            return true;
        }

        foreach (var name in _values.Keys)
        {
            if (name.Length > prefix.Length && name[prefix.Length] == '.' && name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsControl(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }
}
