namespace Citadel.Core.Policies;

/// <summary>Allow or Deny.</summary>
public enum Effect
{
    Allow,
    Deny,
}

/// <summary>One compiled statement of a policy.</summary>
public sealed class Statement
{
    internal Statement(
        int index,
        string? sid,
        Effect effect,
        PrincipalSpec? principal,
        bool notPrincipal,
        string[] actions,
        bool notAction,
        string[]? resources,
        bool notResource,
        Condition[] conditions)
    {
        Index = index;
        Sid = sid;
        Effect = effect;
        Principal = principal;
        IsNotPrincipal = notPrincipal;
        Actions = actions;
        IsNotAction = notAction;
        Resources = resources;
        IsNotResource = notResource;
        Conditions = conditions;
    }

    /// <summary>Position in the policy, from 1, for explanations.</summary>
    public int Index { get; }

    public string? Sid { get; }

    public Effect Effect { get; }

    public PrincipalSpec? Principal { get; }

    public bool IsNotPrincipal { get; }

    public IReadOnlyList<string> Actions { get; }

    public bool IsNotAction { get; }

    public IReadOnlyList<string>? Resources { get; }

    public bool IsNotResource { get; }

    public IReadOnlyList<Condition> Conditions { get; }

    /// <summary>A name for explanations: the Sid, or the position.</summary>
    public string Name => Sid is { Length: > 0 } ? $"\"{Sid}\"" : $"#{Index}";

    public bool MatchesAction(string action)
    {
        var any = false;
        for (var i = 0; i < Actions.Count; i++)
        {
            if (Wildcard.IsMatch(Actions[i], action, ignoreCase: true))
            {
                any = true;
                break;
            }
        }

        return any != IsNotAction;
    }

    /// <summary>Whether the request's resource matches Resource/NotResource; policy variables in patterns (${aws:PrincipalAccount} …) are substituted from <paramref name="facts"/>.</summary>
    public bool MatchesResource(string resource, IRequestFacts? facts = null)
    {
        if (Resources is null)
        {
            // Key policies may omit Resource; it means the key the policy is attached to.
            return true;
        }

        var any = false;
        for (var i = 0; i < Resources.Count; i++)
        {
            var pattern = Resources[i];
            if (pattern == "*")
            {
                any = true;
                break;
            }

            if (facts is not null && pattern.Contains("${", StringComparison.Ordinal))
            {
                var literals = new List<int>();
                if (PolicyVariables.Substitute(pattern, facts, literals) is { } substituted && Condition.LikeMatches(substituted, resource, literals))
                {
                    any = true;
                    break;
                }

                continue;
            }

            if (Wildcard.IsMatch(pattern, resource, ignoreCase: false))
            {
                any = true;
                break;
            }
        }

        return any != IsNotResource;
    }

    public bool ConditionsHold(IRequestFacts facts)
    {
        for (var i = 0; i < Conditions.Count; i++)
        {
            if (!Conditions[i].Evaluate(facts))
            {
                return false;
            }
        }

        return true;
    }
}
