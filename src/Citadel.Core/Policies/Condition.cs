using System.Globalization;
using System.Net;

namespace Citadel.Core.Policies;

/// <summary>
/// One compiled condition: operator, qualifier, key and the policy's values. Semantics follow the
/// IAM User Guide: values of one key are ORed; a missing key fails a positive operator and passes a
/// negated one; …IfExists passes when the key is missing; ForAnyValue needs one request value to
/// match, ForAllValues needs every request value to match (and passes when there are none).
/// </summary>
public sealed class Condition
{
    private readonly string[] _values;
    private readonly bool[] _hasVariables;
    private readonly IPNetwork?[]? _networks;

    internal Condition(ConditionOperator op, SetQualifier qualifier, bool ifExists, ConditionKey key, string[] values, string operatorText)
    {
        Operator = op;
        Qualifier = qualifier;
        IfExists = ifExists;
        Key = key;
        _values = values;
        OperatorText = operatorText;
        _hasVariables = values.Select(v => v.Contains("${", StringComparison.Ordinal)).ToArray();
        if (op is ConditionOperator.IpAddress or ConditionOperator.NotIpAddress)
        {
            _networks = values.Select(ParseNetwork).ToArray();
        }
    }

    public ConditionOperator Operator { get; }

    public SetQualifier Qualifier { get; }

    public bool IfExists { get; }

    public ConditionKey Key { get; }

    /// <summary>The operator as written ("ForAnyValue:StringLikeIfExists").</summary>
    public string OperatorText { get; }

    public IReadOnlyList<string> Values => _values;

    internal static bool IsNegated(ConditionOperator op) => op is ConditionOperator.StringNotEquals
        or ConditionOperator.StringNotEqualsIgnoreCase or ConditionOperator.StringNotLike or ConditionOperator.NumericNotEquals
        or ConditionOperator.DateNotEquals or ConditionOperator.NotIpAddress or ConditionOperator.ArnNotEquals or ConditionOperator.ArnNotLike;

    public bool Evaluate(IRequestFacts facts)
    {
        var present = facts.TryGet(Key, out var values) && values.Count > 0;
        if (Operator == ConditionOperator.Null)
        {
            // "Null": {"key": "true"} holds when the key is absent.
            var wantAbsent = _values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
            return wantAbsent ? !present : present;
        }

        var negated = IsNegated(Operator);
        switch (Qualifier)
        {
            case SetQualifier.ForAllValues:
                if (!present)
                {
                    return true;
                }

                for (var i = 0; i < values.Count; i++)
                {
                    var anyMatch = AnyPolicyValueMatches(values[i], facts);
                    if (negated ? anyMatch : !anyMatch)
                    {
                        return false;
                    }
                }

                return true;

            case SetQualifier.ForAnyValue:
                if (!present)
                {
                    return IfExists;
                }

                for (var i = 0; i < values.Count; i++)
                {
                    var anyMatch = AnyPolicyValueMatches(values[i], facts);
                    if (negated ? !anyMatch : anyMatch)
                    {
                        return true;
                    }
                }

                return false;

            default:
                if (!present)
                {
                    return IfExists || negated;
                }

                for (var i = 0; i < values.Count; i++)
                {
                    if (AnyPolicyValueMatches(values[i], facts))
                    {
                        return !negated;
                    }
                }

                return negated;
        }
    }

    /// <summary>Whether the request value matches any of the policy's values under the (positive form of the) operator.</summary>
    private bool AnyPolicyValueMatches(string requestValue, IRequestFacts facts)
    {
        for (var i = 0; i < _values.Length; i++)
        {
            if (_hasVariables[i] && Operator is ConditionOperator.StringLike or ConditionOperator.StringNotLike)
            {
                // ${*} and ${?} stand for a literal '*' and '?', not wildcards (IAM User Guide, "Policy variables").
                var literals = new List<int>();
                if (PolicyVariables.Substitute(_values[i], facts, literals) is { } pattern && LikeMatches(pattern, requestValue, literals))
                {
                    return true;
                }

                continue;
            }

            var policyValue = _hasVariables[i] ? PolicyVariables.Substitute(_values[i], facts) : _values[i];
            if (policyValue is not null && Matches(requestValue, policyValue, i))
            {
                return true;
            }
        }

        return false;
    }

    private bool Matches(string request, string policy, int index) => Operator switch
    {
        ConditionOperator.StringEquals or ConditionOperator.StringNotEquals => string.Equals(request, policy, StringComparison.Ordinal),
        ConditionOperator.StringEqualsIgnoreCase or ConditionOperator.StringNotEqualsIgnoreCase => string.Equals(request, policy, StringComparison.OrdinalIgnoreCase),
        ConditionOperator.StringLike or ConditionOperator.StringNotLike => Wildcard.IsMatch(policy, request, ignoreCase: false),
        ConditionOperator.NumericEquals or ConditionOperator.NumericNotEquals => Compare(ParseNumber(request), ParseNumber(policy)) == 0,
        ConditionOperator.NumericLessThan => Compare(ParseNumber(request), ParseNumber(policy)) < 0,
        ConditionOperator.NumericLessThanEquals => Compare(ParseNumber(request), ParseNumber(policy)) <= 0,
        ConditionOperator.NumericGreaterThan => Compare(ParseNumber(request), ParseNumber(policy)) > 0,
        ConditionOperator.NumericGreaterThanEquals => Compare(ParseNumber(request), ParseNumber(policy)) >= 0,
        ConditionOperator.DateEquals or ConditionOperator.DateNotEquals => Compare(ParseDate(request), ParseDate(policy)) == 0,
        ConditionOperator.DateLessThan => Compare(ParseDate(request), ParseDate(policy)) < 0,
        ConditionOperator.DateLessThanEquals => Compare(ParseDate(request), ParseDate(policy)) <= 0,
        ConditionOperator.DateGreaterThan => Compare(ParseDate(request), ParseDate(policy)) > 0,
        ConditionOperator.DateGreaterThanEquals => Compare(ParseDate(request), ParseDate(policy)) >= 0,
        ConditionOperator.Bool => string.Equals(request, policy, StringComparison.OrdinalIgnoreCase),
        ConditionOperator.BinaryEquals => string.Equals(request, policy, StringComparison.Ordinal),
        ConditionOperator.IpAddress or ConditionOperator.NotIpAddress => IPAddress.TryParse(request, out var ip) && _networks![index] is { } network && network.Contains(ip),
        ConditionOperator.ArnEquals or ConditionOperator.ArnLike or ConditionOperator.ArnNotEquals or ConditionOperator.ArnNotLike => ArnMatches(policy, request),
        _ => false,
    };

    internal static bool LikeMatches(string pattern, string text, List<int> literals)
    {
        if (literals.Count == 0)
        {
            return Wildcard.IsMatch(pattern, text, ignoreCase: false);
        }

        var mask = new bool[pattern.Length];
        foreach (var position in literals)
        {
            mask[position] = true;
        }

        return Wildcard.IsMatch(pattern, text, ignoreCase: false, mask);
    }

    /// <summary>ARN operators compare the six colon-separated parts, each with wildcards.</summary>
    internal static bool ArnMatches(string pattern, string arn)
    {
        var p = pattern.Split(':', 6);
        var a = arn.Split(':', 6);
        if (p.Length != 6 || a.Length != 6)
        {
            return false;
        }

        for (var i = 0; i < 6; i++)
        {
            if (!Wildcard.IsMatch(p[i], a[i], ignoreCase: false))
            {
                return false;
            }
        }

        return true;
    }

    private static int? Compare(double? a, double? b) => a is { } x && b is { } y ? x.CompareTo(y) : null;

    private static int? Compare(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && b is { } y ? x.CompareTo(y) : null;

    private static double? ParseNumber(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static readonly long MinEpochSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly long MaxEpochSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    internal static DateTimeOffset? ParseDate(string text)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            return date;
        }

        // Epoch seconds outside what a DateTimeOffset holds match no date, like text that is no date.
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch) && epoch >= MinEpochSeconds && epoch <= MaxEpochSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(epoch)
            : null;
    }

    /// <summary>An address or CIDR range; null when the text is neither.</summary>
    internal static IPNetwork? ParseNetwork(string text)
    {
        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }

        return IPAddress.TryParse(text, out var single)
            ? new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)
            : null;
    }
}
