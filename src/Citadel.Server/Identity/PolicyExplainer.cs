using Citadel.Core.Grants;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.Authorization;
using Citadel.Storage;

namespace Citadel.Server.Identity;

/// <summary>The answer to "may this principal do this to this key, and why?"</summary>
public sealed record Explanation(bool Allowed, string Decision, IReadOnlyList<string> Trace);

/// <summary>
/// Evaluates one request offline, from the store, and says which statement allowed or denied it —
/// what an operator reaches for first when a request is denied (`citadel iam explain`).
/// </summary>
public sealed class PolicyExplainer
{

    /// <summary>
    /// The key a key id or key ARN names. A multi-Region key (<c>mrk-</c>) is one key per Region: its ARN names the Region;
    /// a bare <c>mrk-</c> id names the set, and the primary key stands for it.
    /// </summary>
    private async Task<KeyRecord?> FindKeyAsync(string keyArnOrId, CancellationToken ct)
    {
        var isArn = keyArnOrId.Contains(":key/", StringComparison.Ordinal);
        var keyText = isArn ? keyArnOrId[(keyArnOrId.LastIndexOf('/') + 1)..] : keyArnOrId;
        if (!KeyId.TryParse(keyText, out var keyId))
        {
            return null;
        }

        if (!keyId.IsMultiRegion)
        {
            return await _store.GetKeyAsync(keyId, ct);
        }

        // arn:aws:kms:<region>:<account>:key/<id>
        var arnParts = keyArnOrId.Split(':');
        return isArn
            ? arnParts.Length == 6 ? await _store.GetKeyAsync(keyId.InRegion(arnParts[3]), ct) : null
            : (await _store.ListKeySetAsync(keyId, ct)).FirstOrDefault(k => k.IsPrimary);
    }
    private readonly IStore _store;
    private readonly TimeProvider _time;

    internal PolicyExplainer(IStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <param name="principalArn">A user, role or account root; or a role session, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, evaluated with its role's policies.</param>
    /// <param name="action">The action, e.g. kms:Encrypt.</param>
    /// <param name="keyArnOrId">The key.</param>
    /// <param name="context">The encryption context of the request.</param>
    /// <param name="ct">Cancels the store reads.</param>
    /// <param name="sessionPolicy">For a role session: the session policy it was made with, which narrows the role's permissions.</param>
    public async Task<Explanation> ExplainAsync(string principalArn, string action, string keyArnOrId, IReadOnlyDictionary<string, string>? context, CancellationToken ct, string? sessionPolicy = null)
    {
        var session = SessionOf(principalArn, sessionPolicy, out var sessionError);
        if (sessionError is not null)
        {
            return new Explanation(false, sessionError, []);
        }

        var principal = await _store.GetPrincipalAsync(session?.RoleArn ?? principalArn, ct);
        if (principal is null)
        {
            return new Explanation(false, $"{session?.RoleArn ?? principalArn} does not exist.", []);
        }

        if (await FindKeyAsync(keyArnOrId, ct) is not { } key)
        {
            return new Explanation(false, $"Key {keyArnOrId} does not exist.", []);
        }

        action = action.Contains(':', StringComparison.Ordinal) ? action : "kms:" + action;
        var trace = new List<string>();

        // As the authorizer does: only symmetric encryption keys bind the encryption context.
        var keyTakesContext = key.Spec == KeySpec.SymmetricDefault;
        context = keyTakesContext ? context : null;
        var caller = session is null
            ? new Principal(principal.AccountId, principal.Arn, principal.Type, principal.PrincipalId)
            : new Principal(principal.AccountId, principalArn, PrincipalType.AssumedRole, $"{principal.PrincipalId}:{session.SessionName}") { Session = session with { RoleId = principal.PrincipalId } };
        if (session is not null)
        {
            trace.Add($"{principalArn} is a session of {session.RoleArn}: the role's policies apply{(session.Policy is null ? "" : ", narrowed by the session policy")}");
        }

        var facts = new RequestFacts
        {
            Principal = caller,
            Region = key.Region,
            Now = _time.GetUtcNow(),
            Key = key,
            EncryptionContext = context,
            ResourceTags = await _store.ListTagsAsync(key.Id, ct),
            ResourceAliases = (await _store.ListAliasesAsync(key.AccountId, key.Region, key.Id, 1000, null, ct)).Items.Select(a => a.Name).ToArray(),
        };

        var keyPolicy = Policy.Parse(key.Policy, PolicyKind.KeyPolicy);
        if (!keyPolicy.IsSuccess)
        {
            trace.Add($"the key policy does not parse: {keyPolicy.Error.Value.Message}");
        }

        var identityPolicies = new List<Policy>();
        if (principal.Type != PrincipalType.Root)
        {
            foreach (var record in await _store.ListIdentityPoliciesAsync(principal.Arn, ct))
            {
                var parsed = Policy.Parse(record.Document, PolicyKind.IdentityPolicy);
                if (parsed.IsSuccess)
                {
                    identityPolicies.Add(parsed.Value);
                    trace.Add($"identity policy \"{record.Name}\" is attached");
                }
            }
        }

        var operation = action.StartsWith("kms:", StringComparison.Ordinal) ? action[4..] : action;
        // A grant to the role is a grant to its sessions.
        var grant = (await _store.ListGrantsAsync(key.Id, ct)).FirstOrDefault(g => GrantRules.Allows(g, caller.Arn, operation, context, keyTakesContext) || GrantRules.Allows(g, principal.Arn, operation, context, keyTakesContext));
        if (grant is not null)
        {
            trace.Add($"grant {grant.GrantId} allows {operation} to {grant.GranteePrincipal}");
        }

        var request = AuthorizationRequest.For(caller, action, key.Arn, key.AccountId, facts);
        var result = keyPolicy.IsSuccess
            ? PolicyEvaluator.Evaluate(request, keyPolicy.Value, identityPolicies, grant is not null, trace)
            : new AuthorizationResult(grant is not null, grant is null ? Denial.NoResourcePolicyAllows : Denial.None, null, grant is null ? "" : "grant");
        var decision = result.Allowed
            ? $"ALLOWED by {(result.Decisive is { } statement ? $"{result.Source} statement {statement.Name}" : result.Source)}"
            : $"DENIED: {result.DenialMessage(request)}";
        return new Explanation(result.Allowed, decision, trace);
    }

    /// <summary>The session an arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION names (null for any other ARN), with its session policy.</summary>
    private SessionContext? SessionOf(string principalArn, string? sessionPolicy, out string? error)
    {
        error = null;
        var parts = principalArn.Split(':', 6);
        if (parts.Length != 6 || parts[2] != "sts" || !parts[5].StartsWith("assumed-role/", StringComparison.Ordinal) || parts[5].Split('/') is not [_, var role, var name])
        {
            if (sessionPolicy is not null)
            {
                error = "A session policy applies only to a role session: give its ARN, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.";
            }

            return null;
        }

        Policy? policy = null;
        if (sessionPolicy is not null)
        {
            var parsed = Policy.Parse(sessionPolicy, PolicyKind.IdentityPolicy);
            if (!parsed.IsSuccess)
            {
                error = $"The session policy is not valid: {parsed.Error.Value.Message}";
                return null;
            }

            policy = parsed.Value;
        }

        var now = _time.GetUtcNow();
        return new SessionContext(PrincipalRecord.RoleArn(parts[4], role), "", name, now, now.AddHours(1), Chained: false) { Policy = policy, PolicyDocument = sessionPolicy };
    }
}
