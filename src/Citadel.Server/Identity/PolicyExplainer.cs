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
    private readonly IStore _store;
    private readonly TimeProvider _time;

    internal PolicyExplainer(IStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public async Task<Explanation> ExplainAsync(string principalArn, string action, string keyArnOrId, IReadOnlyDictionary<string, string>? context, CancellationToken ct)
    {
        var principal = await _store.GetPrincipalAsync(principalArn, ct);
        if (principal is null)
        {
            return new Explanation(false, $"{principalArn} does not exist.", []);
        }

        var keyText = keyArnOrId.Contains(":key/", StringComparison.Ordinal) ? keyArnOrId[(keyArnOrId.LastIndexOf('/') + 1)..] : keyArnOrId;
        if (!KeyId.TryParse(keyText, out var keyId) || await _store.GetKeyAsync(keyId, ct) is not { } key)
        {
            return new Explanation(false, $"Key {keyArnOrId} does not exist.", []);
        }

        action = action.Contains(':', StringComparison.Ordinal) ? action : "kms:" + action;

        // As the authorizer does: only symmetric encryption keys bind the encryption context.
        var keyTakesContext = key.Spec == KeySpec.SymmetricDefault;
        context = keyTakesContext ? context : null;
        var facts = new RequestFacts
        {
            Principal = new Principal(principal.AccountId, principal.Arn, principal.Type, principal.PrincipalId),
            Region = key.Region,
            Now = _time.GetUtcNow(),
            Key = key,
            EncryptionContext = context,
            ResourceTags = await _store.ListTagsAsync(key.Id, ct),
            ResourceAliases = (await _store.ListAliasesAsync(key.AccountId, key.Region, key.Id, 1000, null, ct)).Items.Select(a => a.Name).ToArray(),
        };

        var trace = new List<string>();
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
        var grant = (await _store.ListGrantsAsync(key.Id, ct)).FirstOrDefault(g => GrantRules.Allows(g, principal.Arn, operation, context, keyTakesContext));
        if (grant is not null)
        {
            trace.Add($"grant {grant.GrantId} allows {operation} to {principal.Arn}");
        }

        var request = new AuthorizationRequest(principal.Arn, principal.AccountId, principal.Type == PrincipalType.Root, null, action, key.Arn, key.AccountId, facts);
        var result = keyPolicy.IsSuccess
            ? PolicyEvaluator.Evaluate(request, keyPolicy.Value, identityPolicies, grant is not null, trace)
            : new AuthorizationResult(grant is not null, grant is null ? Denial.NoResourcePolicyAllows : Denial.None, null, grant is null ? "" : "grant");
        var decision = result.Allowed
            ? $"ALLOWED by {(result.Decisive is { } statement ? $"{result.Source} statement {statement.Name}" : result.Source)}"
            : $"DENIED: {result.DenialMessage(request)}";
        return new Explanation(result.Allowed, decision, trace);
    }
}
