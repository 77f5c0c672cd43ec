using Citadel.Core.Identity;

namespace Citadel.Core.Policies;

/// <summary>The caller and the request, as the evaluator sees them. A struct: one is built for every authorized request.</summary>
public readonly record struct AuthorizationRequest(
    string PrincipalArn,
    string PrincipalAccount,
    bool PrincipalIsRoot,
    string? ServicePrincipal,
    string Action,
    string ResourceArn,
    string ResourceAccount,
    IRequestFacts Facts)
{
    /// <summary>For a role session: the role, which a resource policy may name instead of the session (IAM User Guide, "Role session principals").</summary>
    public string? SessionIssuerArn { get; init; }

    /// <summary>For a role session made with a session policy: it must allow too (IAM User Guide, "Session policies").</summary>
    public Policy? SessionPolicy { get; init; }

    /// <summary>The request of <paramref name="principal"/>, a role session's role and session policy included.</summary>
    public static AuthorizationRequest For(Principal principal, string action, string resourceArn, string resourceAccount, IRequestFacts facts) =>
        new(principal.Arn, principal.AccountId, principal.Type == PrincipalType.Root, null, action, resourceArn, resourceAccount, facts)
        {
            SessionIssuerArn = principal.Session?.RoleArn,
            SessionPolicy = principal.Session?.Policy,
        };
}

/// <summary>Why a request was refused; each has AWS's wording in <see cref="AuthorizationResult.DenialMessage"/>.</summary>
public enum Denial
{
    None,
    NoResourcePolicyAllows,
    NoIdentityPolicyAllows,
    ExplicitDenyInResourcePolicy,
    ExplicitDenyInIdentityPolicy,
    NoSessionPolicyAllows,
    ExplicitDenyInSessionPolicy,
}

/// <summary>The decision and the statement that decided it (for explain and debug logs).</summary>
public readonly record struct AuthorizationResult(bool Allowed, Denial Denial, Statement? Decisive, string Source)
{
    public string DenialMessage(in AuthorizationRequest request) => Denial switch
    {
        Denial.NoResourcePolicyAllows => $"User: {request.PrincipalArn} is not authorized to perform: {request.Action} on resource: {request.ResourceArn} because no resource-based policy allows the {request.Action} action",
        Denial.NoIdentityPolicyAllows => $"User: {request.PrincipalArn} is not authorized to perform: {request.Action} on resource: {request.ResourceArn} because no identity-based policy allows the {request.Action} action",
        Denial.ExplicitDenyInResourcePolicy => $"User: {request.PrincipalArn} is not authorized to perform: {request.Action} on resource: {request.ResourceArn} with an explicit deny in a resource-based policy",
        Denial.ExplicitDenyInIdentityPolicy => $"User: {request.PrincipalArn} is not authorized to perform: {request.Action} on resource: {request.ResourceArn} with an explicit deny in an identity-based policy",
        Denial.NoSessionPolicyAllows => $"User: {request.PrincipalArn} is not authorized to perform: {request.Action} on resource: {request.ResourceArn} because no session policy allows the {request.Action} action",
        Denial.ExplicitDenyInSessionPolicy => $"User: {request.PrincipalArn} is not authorized to perform: {request.Action} on resource: {request.ResourceArn} with an explicit deny in a session policy",
        _ => "",
    };
}

/// <summary>
/// AWS's policy evaluation for KMS (AWS KMS developer guide, "Key policies" and "Determining access";
/// IAM User Guide, "Policy evaluation logic"): an explicit Deny anywhere wins; otherwise the key
/// policy must allow, either naming the principal or delegating to its account, in which case an
/// identity policy of the principal must allow too; a grant allows on its own. Across accounts both
/// the key policy and the caller's identity policies must allow. The account root has every IAM
/// permission of its own account.
/// </summary>
public static class PolicyEvaluator
{
    /// <param name="request">The caller, action and resource.</param>
    /// <param name="keyPolicy">The key policy, or null for actions authorized by identity policies alone (ListKeys, CreateKey …).</param>
    /// <param name="identityPolicies">The caller's identity policies.</param>
    /// <param name="grantAllows">Whether a grant on the key allows this request.</param>
    /// <param name="trace">When not null, receives a line for every statement considered.</param>
    public static AuthorizationResult Evaluate(
        AuthorizationRequest request,
        Policy? keyPolicy,
        IReadOnlyList<Policy> identityPolicies,
        bool grantAllows,
        List<string>? trace = null)
    {
        var result = EvaluateWithoutSession(request, keyPolicy, identityPolicies, grantAllows, trace);
        if (request.SessionPolicy is not { } sessionPolicy || result.Denial is Denial.ExplicitDenyInResourcePolicy or Denial.ExplicitDenyInIdentityPolicy)
        {
            return result;
        }

        // A session policy only narrows: whatever allowed the request, the session policy must allow it too, and
        // its Deny wins. (AWS lets a resource policy that names the session's own ARN bypass it; here it never does.)
        Statement? sessionAllow = null;
        if (FirstDeny(sessionPolicy.Statements, request, "session policy", trace, ref sessionAllow) is { } deny)
        {
            return new AuthorizationResult(false, Denial.ExplicitDenyInSessionPolicy, deny, "session policy");
        }

        return result.Allowed && sessionAllow is null ? new AuthorizationResult(false, Denial.NoSessionPolicyAllows, null, "") : result;
    }

    private static AuthorizationResult EvaluateWithoutSession(
        AuthorizationRequest request,
        Policy? keyPolicy,
        IReadOnlyList<Policy> identityPolicies,
        bool grantAllows,
        List<string>? trace)
    {
        Statement? keyAllowDirect = null, keyAllowAccount = null;
        if (keyPolicy is not null)
        {
            var statements = keyPolicy.Statements;
            for (var i = 0; i < statements.Count; i++)
            {
                var statement = statements[i];
                var match = ApplyKeyStatement(statement, request, trace);
                if (match == PrincipalMatch.None)
                {
                    continue;
                }

                if (statement.Effect == Effect.Deny)
                {
                    return new AuthorizationResult(false, Denial.ExplicitDenyInResourcePolicy, statement, "key policy");
                }

                if (match == PrincipalMatch.Direct)
                {
                    keyAllowDirect ??= statement;
                }
                else
                {
                    keyAllowAccount ??= statement;
                }
            }
        }

        Statement? identityAllow = null;
        for (var p = 0; p < identityPolicies.Count; p++)
        {
            if (FirstDeny(identityPolicies[p].Statements, request, "identity policy", trace, ref identityAllow) is { } deny)
            {
                return new AuthorizationResult(false, Denial.ExplicitDenyInIdentityPolicy, deny, "identity policy");
            }
        }

        var sameAccount = request.PrincipalAccount == request.ResourceAccount;
        var iamAllows = identityAllow is not null || (request.PrincipalIsRoot && request.ServicePrincipal is null);
        if (keyPolicy is null)
        {
            return sameAccount && iamAllows
                ? new AuthorizationResult(true, Denial.None, identityAllow, identityAllow is null ? "account root" : "identity policy")
                : new AuthorizationResult(false, Denial.NoIdentityPolicyAllows, null, "");
        }

        if (sameAccount)
        {
            if (keyAllowDirect is not null)
            {
                return new AuthorizationResult(true, Denial.None, keyAllowDirect, "key policy");
            }

            if (keyAllowAccount is not null && iamAllows)
            {
                return new AuthorizationResult(true, Denial.None, identityAllow ?? keyAllowAccount, identityAllow is null ? "key policy (account root)" : "identity policy");
            }
        }
        else if ((keyAllowDirect ?? keyAllowAccount) is { } crossAccount && iamAllows)
        {
            return new AuthorizationResult(true, Denial.None, crossAccount, "key policy and identity policy (cross-account)");
        }

        if (grantAllows)
        {
            return new AuthorizationResult(true, Denial.None, null, "grant");
        }

        var denial = (keyAllowDirect ?? keyAllowAccount) is not null ? Denial.NoIdentityPolicyAllows : Denial.NoResourcePolicyAllows;
        return new AuthorizationResult(false, denial, null, "");
    }

    /// <summary>The first statement of <paramref name="statements"/> that applies and denies; the first that allows goes to <paramref name="allow"/> when it is still null.</summary>
    private static Statement? FirstDeny(IReadOnlyList<Statement> statements, in AuthorizationRequest request, string source, List<string>? trace, ref Statement? allow)
    {
        for (var i = 0; i < statements.Count; i++)
        {
            var statement = statements[i];
            if (!Applies(statement, request, source, trace))
            {
                continue;
            }

            if (statement.Effect == Effect.Deny)
            {
                return statement;
            }

            allow ??= statement;
        }

        return null;
    }

    /// <summary>How a key-policy statement applies to the request (None when it does not).</summary>
    private static PrincipalMatch ApplyKeyStatement(Statement statement, in AuthorizationRequest request, List<string>? trace)
    {
        var match = statement.Principal!.Match(request.PrincipalArn, request.PrincipalAccount, request.PrincipalIsRoot, request.ServicePrincipal);
        if (match != PrincipalMatch.Direct && request.SessionIssuerArn is { } role
            && statement.Principal.Match(role, request.PrincipalAccount, isRoot: false, request.ServicePrincipal) == PrincipalMatch.Direct)
        {
            // A statement naming the role applies to its sessions.
            match = PrincipalMatch.Direct;
        }

        if (statement.IsNotPrincipal)
        {
            // Only a principal named itself is excepted: an account ARN in NotPrincipal excepts the
            // account root, not every user and role of the account (IAM User Guide, "NotPrincipal").
            match = match == PrincipalMatch.Direct ? PrincipalMatch.None : PrincipalMatch.Direct;
        }

        if (match == PrincipalMatch.None)
        {
            trace?.Add($"key policy statement {statement.Name}: principal does not match");
            return PrincipalMatch.None;
        }

        return Applies(statement, request, "key policy", trace) ? match : PrincipalMatch.None;
    }

    private static bool Applies(Statement statement, in AuthorizationRequest request, string source, List<string>? trace)
    {
        if (!statement.MatchesAction(request.Action))
        {
            trace?.Add($"{source} statement {statement.Name}: action {request.Action} does not match");
            return false;
        }

        if (!statement.MatchesResource(request.ResourceArn, request.Facts))
        {
            trace?.Add($"{source} statement {statement.Name}: resource {request.ResourceArn} does not match");
            return false;
        }

        var conditions = statement.Conditions;
        for (var i = 0; i < conditions.Count; i++)
        {
            var condition = conditions[i];
            if (!condition.Evaluate(request.Facts))
            {
                trace?.Add($"{source} statement {statement.Name}: condition {condition.OperatorText} on {condition.Key.Name} does not hold");
                return false;
            }
        }

        trace?.Add($"{source} statement {statement.Name}: {statement.Effect} applies");
        return true;
    }
}
