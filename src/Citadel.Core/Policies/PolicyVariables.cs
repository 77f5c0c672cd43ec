using System.Text;

namespace Citadel.Core.Policies;

/// <summary>
/// Policy variables in values: ${aws:username}, ${aws:PrincipalAccount} …, with the literal
/// escapes ${*}, ${?} and ${$}, and the default form ${key, 'default'}. A variable whose key is
/// absent, without a default, makes the value match nothing.
/// </summary>
public static class PolicyVariables
{
    public static string? Substitute(string value, IRequestFacts facts) => Substitute(value, facts, null);

    /// <summary>As above; <paramref name="literals"/>, when given, receives the positions of the '*' and '?' that ${*} and ${?} produced, which wildcard matching must take literally.</summary>
    public static string? Substitute(string value, IRequestFacts facts, List<int>? literals)
    {
        var builder = new StringBuilder(value.Length + 32);
        var i = 0;
        while (i < value.Length)
        {
            var start = value.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                builder.Append(value, i, value.Length - i);
                break;
            }

            var end = value.IndexOf('}', start + 2);
            if (end < 0)
            {
                builder.Append(value, i, value.Length - i);
                break;
            }

            builder.Append(value, i, start - i);
            var inner = value.AsSpan(start + 2, end - start - 2).Trim();
            if (inner is "*" or "?" or "$")
            {
                literals?.Add(builder.Length);
                builder.Append(inner);
            }
            else
            {
                string? fallback = null;
                var comma = inner.IndexOf(',');
                var keyName = comma < 0 ? inner.ToString() : inner[..comma].Trim().ToString();
                if (comma >= 0)
                {
                    fallback = inner[(comma + 1)..].Trim().Trim('\'').ToString();
                }

                if (facts.TryGet(ConditionKey.Parse(keyName), out var values) && values.Count == 1)
                {
                    builder.Append(values[0]);
                }
                else if (fallback is not null)
                {
                    builder.Append(fallback);
                }
                else
                {
                    return null;
                }
            }

            i = end + 1;
        }

        return builder.ToString();
    }
}
