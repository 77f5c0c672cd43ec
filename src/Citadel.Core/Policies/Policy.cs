using System.Text.Json;
using Citadel.Core.Errors;

namespace Citadel.Core.Policies;

/// <summary>Where a policy is attached: to a key (a resource policy, with Principal) or to an identity (without).</summary>
public enum PolicyKind
{
    KeyPolicy,
    IdentityPolicy,
}

/// <summary>
/// A policy document, parsed and compiled once; evaluation does no parsing. The grammar is IAM's
/// (IAM User Guide, "IAM JSON policy element reference").
/// </summary>
public sealed class Policy
{
    private Policy(string? version, IReadOnlyList<Statement> statements)
    {
        Version = version;
        Statements = statements;
        UsesResourceTags = statements.Any(s => s.Conditions.Any(c => c.Key.Known == KnownConditionKey.AwsResourceTag || c.Values.Any(v => v.Contains("aws:ResourceTag", StringComparison.OrdinalIgnoreCase))));
        UsesResourceAliases = statements.Any(s => s.Conditions.Any(c => c.Key.Known == KnownConditionKey.KmsResourceAliases));
    }

    public string? Version { get; }

    public IReadOnlyList<Statement> Statements { get; }

    /// <summary>Whether evaluation needs the key's tags (aws:ResourceTag/…), so callers load them only then.</summary>
    public bool UsesResourceTags { get; }

    /// <summary>Whether evaluation needs the key's aliases (kms:ResourceAliases).</summary>
    public bool UsesResourceAliases { get; }

    public static Result<Policy> Parse(string json, PolicyKind kind)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
            return Compile(document.RootElement, kind);
        }
        catch (JsonException)
        {
            return Malformed("The policy is not valid JSON.");
        }
        catch (InvalidOperationException) when (json.Contains("\\u", StringComparison.OrdinalIgnoreCase))
        {
            // JsonDocument accepts an escaped lone surrogate ("\udc00"); reading it as a string throws.
            return Malformed("The policy is not valid JSON.");
        }
    }

    private static Result<Policy> Compile(JsonElement root, PolicyKind kind)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Malformed("The policy must be a JSON object.");
        }

        string? version = null;
        JsonElement? statementElement = null;
        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "Version":
                    version = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    if (version is not ("2012-10-17" or "2008-10-17"))
                    {
                        return Malformed("Version must be \"2012-10-17\" or \"2008-10-17\".");
                    }

                    break;
                case "Id":
                    break;
                case "Statement":
                    statementElement = property.Value;
                    break;
                default:
                    return Malformed($"Unknown policy element \"{property.Name}\".");
            }
        }

        if (statementElement is not { } statements)
        {
            return Malformed("The policy has no Statement.");
        }

        var list = new List<Statement>();
        if (statements.ValueKind == JsonValueKind.Object)
        {
            var one = CompileStatement(statements, 1, kind);
            if (!one.IsSuccess)
            {
                return one.Error.Value;
            }

            list.Add(one.Value);
        }
        else if (statements.ValueKind == JsonValueKind.Array && statements.GetArrayLength() > 0)
        {
            var index = 0;
            foreach (var element in statements.EnumerateArray())
            {
                var compiled = CompileStatement(element, ++index, kind);
                if (!compiled.IsSuccess)
                {
                    return compiled.Error.Value;
                }

                list.Add(compiled.Value);
            }
        }
        else
        {
            return Malformed("Statement must be an object or a non-empty array of objects.");
        }

        return new Policy(version, list);
    }

    private static Result<Statement> CompileStatement(JsonElement element, int index, PolicyKind kind)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return Malformed($"Statement {index} is not an object.");
        }

        string? sid = null;
        Effect? effect = null;
        PrincipalSpec? principal = null;
        var notPrincipal = false;
        string[]? actions = null;
        var notAction = false;
        string[]? resources = null;
        var notResource = false;
        var conditions = Array.Empty<Condition>();
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "Sid":
                    sid = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                    break;
                case "Effect":
                    effect = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() switch
                    {
                        "Allow" => Effect.Allow,
                        "Deny" => Effect.Deny,
                        _ => null,
                    } : null;
                    if (effect is null)
                    {
                        return Malformed($"Statement {index}: Effect must be \"Allow\" or \"Deny\".");
                    }

                    break;
                case "Principal" or "NotPrincipal":
                    if (principal is not null)
                    {
                        return Malformed($"Statement {index} has both Principal and NotPrincipal.");
                    }

                    var parsed = ParsePrincipal(property.Value);
                    if (parsed is null)
                    {
                        return Malformed("Policy contains a statement with one or more invalid principals.");
                    }

                    principal = parsed;
                    notPrincipal = property.Name == "NotPrincipal";
                    break;
                case "Action" or "NotAction":
                    if (actions is not null)
                    {
                        return Malformed($"Statement {index} has both Action and NotAction.");
                    }

                    actions = StringList(property.Value);
                    notAction = property.Name == "NotAction";
                    if (actions is null || actions.Length == 0 || actions.Any(a => a != "*" && !a.Contains(':', StringComparison.Ordinal)))
                    {
                        return Malformed($"Statement {index}: {property.Name} must name actions such as \"kms:Encrypt\" or \"kms:*\".");
                    }

                    break;
                case "Resource" or "NotResource":
                    if (resources is not null)
                    {
                        return Malformed($"Statement {index} has both Resource and NotResource.");
                    }

                    resources = StringList(property.Value);
                    notResource = property.Name == "NotResource";
                    if (resources is null || resources.Length == 0)
                    {
                        return Malformed($"Statement {index}: {property.Name} must be a string or an array of strings.");
                    }

                    break;
                case "Condition":
                    var compiled = ParseConditions(property.Value, index);
                    if (!compiled.IsSuccess)
                    {
                        return compiled.Error.Value;
                    }

                    conditions = compiled.Value;
                    break;
                default:
                    return Malformed($"Statement {index} has an unknown element \"{property.Name}\".");
            }
        }

        if (effect is null)
        {
            return Malformed($"Statement {index} has no Effect.");
        }

        if (actions is null)
        {
            return Malformed($"Statement {index} has no Action.");
        }

        if (kind == PolicyKind.KeyPolicy && principal is null)
        {
            return Malformed($"Statement {index} has no Principal; every statement of a key policy names one.");
        }

        if (kind == PolicyKind.IdentityPolicy)
        {
            if (principal is not null)
            {
                return Malformed($"Statement {index} has a Principal; identity policies apply to the identity they are attached to and cannot name one.");
            }

            if (resources is null)
            {
                return Malformed($"Statement {index} has no Resource.");
            }
        }

        return new Statement(index, sid, effect.Value, principal, notPrincipal, actions, notAction, resources, notResource, conditions);
    }

    private static PrincipalSpec? ParsePrincipal(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() == "*" ? new PrincipalSpec(true, [], []) : null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var aws = new List<string>();
        var services = new List<string>();
        var federated = new List<string>();
        foreach (var property in value.EnumerateObject())
        {
            var values = StringList(property.Value);
            if (values is null || values.Length == 0)
            {
                return null;
            }

            switch (property.Name)
            {
                case "AWS":
                    foreach (var v in values)
                    {
                        var normalized = NormalizeAwsPrincipal(v);
                        if (normalized is null)
                        {
                            return null;
                        }

                        aws.Add(normalized);
                    }

                    break;
                case "Service":
                    services.AddRange(values);
                    break;
                case "Federated":
                    federated.AddRange(values);
                    break;
                case "CanonicalUser":
                    break;
                default:
                    return null;
            }
        }

        return new PrincipalSpec(aws.Contains("*"), aws, services) { Federated = federated };
    }

    private static string? NormalizeAwsPrincipal(string value)
    {
        if (value == "*")
        {
            return value;
        }

        if (value.Length == 12 && value.All(char.IsAsciiDigit))
        {
            return $"arn:aws:iam::{value}:root";
        }

        var parts = value.Split(':', 6);
        if (parts.Length == 6 && parts[0] == "arn" && parts[2] is "iam" or "sts" && parts[4].Length == 12 && parts[4].All(char.IsAsciiDigit)
            && parts[5].Length > 0 && !parts[5].Contains('*', StringComparison.Ordinal))
        {
            return value;
        }

        return null;
    }

    private static Result<Condition[]> ParseConditions(JsonElement value, int index)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            return Malformed($"Statement {index}: Condition must be an object.");
        }

        var conditions = new List<Condition>();
        foreach (var operatorProperty in value.EnumerateObject())
        {
            if (!TryParseOperator(operatorProperty.Name, out var op, out var qualifier, out var ifExists))
            {
                return Malformed($"Statement {index}: unknown condition operator \"{operatorProperty.Name}\".");
            }

            if (operatorProperty.Value.ValueKind != JsonValueKind.Object)
            {
                return Malformed($"Statement {index}: the condition {operatorProperty.Name} must map condition keys to values.");
            }

            foreach (var keyProperty in operatorProperty.Value.EnumerateObject())
            {
                var values = ScalarList(keyProperty.Value);
                if (values is null || values.Length == 0)
                {
                    return Malformed($"Statement {index}: the values of {keyProperty.Name} in {operatorProperty.Name} must be strings, numbers or booleans.");
                }

                if (op is ConditionOperator.IpAddress or ConditionOperator.NotIpAddress && values.Any(v => Condition.ParseNetwork(v) is null))
                {
                    return Malformed($"Statement {index}: {operatorProperty.Name} needs IP addresses or CIDR ranges.");
                }

                conditions.Add(new Condition(op, qualifier, ifExists, ConditionKey.Parse(keyProperty.Name), values, operatorProperty.Name));
            }
        }

        return conditions.ToArray();
    }

    internal static bool TryParseOperator(string text, out ConditionOperator op, out SetQualifier qualifier, out bool ifExists)
    {
        qualifier = SetQualifier.None;
        if (text.StartsWith("ForAnyValue:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAnyValue;
            text = text["ForAnyValue:".Length..];
        }
        else if (text.StartsWith("ForAllValues:", StringComparison.Ordinal))
        {
            qualifier = SetQualifier.ForAllValues;
            text = text["ForAllValues:".Length..];
        }

        ifExists = text.EndsWith("IfExists", StringComparison.Ordinal);
        if (ifExists)
        {
            text = text[..^"IfExists".Length];
        }

        return Enum.TryParse(text, ignoreCase: false, out op) && Enum.IsDefined(op) && !(op == ConditionOperator.Null && ifExists);
    }

    private static string[]? StringList(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => value.EnumerateArray().Select(e => e.GetString()!).ToArray(),
        _ => null,
    };

    private static string[]? ScalarList(JsonElement value)
    {
        static string? Scalar(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };

        if (value.ValueKind == JsonValueKind.Array)
        {
            var items = value.EnumerateArray().Select(Scalar).ToArray();
            return items.Any(i => i is null) ? null : items.Select(i => i!).ToArray();
        }

        return Scalar(value) is { } single ? [single] : null;
    }

    private static KmsError Malformed(string message) => new(KmsErrorCode.MalformedPolicyDocument, message);
}
