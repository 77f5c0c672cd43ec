using Citadel.Core.Identity;
using Citadel.Server.Protocol;
using Citadel.Storage;

namespace Citadel.Server.Iam;

/// <summary>Inline policies of users and roles: Put, Get, Delete and List (User and Role variants share these).</summary>
internal sealed partial class IamService
{
    /// <summary>Attaches or replaces an inline policy on a user (<see cref="PrincipalType.IamUser"/>) or role (<see cref="PrincipalType.AssumedRole"/>).</summary>
    public async Task<IamResult<bool>> PutPolicyAsync(Principal caller, PrincipalType type, string? entityName, string? policyName, string? policyDocument, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(policyName, "policyName");
        v.Required(policyDocument, "policyDocument");
        v.String(policyName, "policyName", IamShapes.PolicyName);
        v.String(policyDocument, "policyDocument", IamShapes.PolicyDocument);
        var entity = await FindNamedAsync(caller, type, entityName, v, ct);
        if (!entity.IsSuccess)
        {
            return entity.Error.Value;
        }

        if (CheckIdentityPolicy(policyDocument!) is { } malformed)
        {
            return malformed;
        }

        var arn = entity.Value.Principal.Arn;
        var others = (await store.ListIdentityPoliciesAsync(arn, ct)).Where(p => p.Name != policyName).Sum(p => PolicySize(p.Document));
        var limit = type == PrincipalType.IamUser ? UserPolicySize : RolePolicySize;
        if (others + PolicySize(policyDocument!) > limit)
        {
            return IamErrors.PolicySize(limit, type == PrincipalType.IamUser ? "user" : "role", entity.Value.Principal.Name);
        }

        if (await store.PutIdentityPolicyAsync(new IdentityPolicyRecord(arn, policyName!, policyDocument!), ct) != StoreOutcome.Success)
        {
            return NoSuchEntity(type, entityName!);
        }

        Changed();
        return true;
    }

    public Task<IamResult<IdentityPolicyRecord>> GetPolicyAsync(Principal caller, PrincipalType type, string? entityName, string? policyName, CancellationToken ct) =>
        FindPolicyAsync(caller, type, entityName, policyName, ct);

    public async Task<IamResult<bool>> DeletePolicyAsync(Principal caller, PrincipalType type, string? entityName, string? policyName, CancellationToken ct)
    {
        var found = await FindPolicyAsync(caller, type, entityName, policyName, ct);
        if (!found.IsSuccess)
        {
            return found.Error.Value;
        }

        if (await store.DeleteIdentityPolicyAsync(found.Value.PrincipalArn, found.Value.Name, ct) != StoreOutcome.Success)
        {
            return NoSuchPolicy(type, policyName!);
        }

        Changed();
        return true;
    }

    public async Task<IamResult<IamPage<string>>> ListPoliciesAsync(Principal caller, PrincipalType type, string? entityName, string? marker, int? maxItems, CancellationToken ct)
    {
        var v = default(Validation);
        ValidatePaging(ref v, marker, maxItems);
        var entity = await FindNamedAsync(caller, type, entityName, v, ct);
        if (!entity.IsSuccess)
        {
            return entity.Error.Value;
        }

        var names = (await store.ListIdentityPoliciesAsync(entity.Value.Principal.Arn, ct)).Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
        return Paginate(names, n => n, marker, maxItems);
    }

    private async Task<IamResult<IdentityPolicyRecord>> FindPolicyAsync(Principal caller, PrincipalType type, string? entityName, string? policyName, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(policyName, "policyName");
        v.String(policyName, "policyName", IamShapes.PolicyName);
        var entity = await FindNamedAsync(caller, type, entityName, v, ct);
        if (!entity.IsSuccess)
        {
            return entity.Error.Value;
        }

        var policy = (await store.ListIdentityPoliciesAsync(entity.Value.Principal.Arn, ct)).FirstOrDefault(p => p.Name == policyName);
        return policy is null ? NoSuchPolicy(type, policyName!) : policy;
    }

    /// <summary>The user or role a request names, after the request's other members (<paramref name="v"/>) and the name itself validate.</summary>
    private async Task<IamResult<IamEntity>> FindNamedAsync(Principal caller, PrincipalType type, string? name, Validation v, CancellationToken ct)
    {
        var member = type == PrincipalType.IamUser ? "userName" : "roleName";
        v.Required(name, member);
        v.String(name, member, type == PrincipalType.IamUser ? IamShapes.ExistingUserName : IamShapes.RoleName);
        if (Invalid(v) is { } invalid)
        {
            return invalid;
        }

        return await FindAsync(caller.AccountId, type, name!, ct);
    }

    private static IamError NoSuchEntity(PrincipalType type, string name) =>
        type == PrincipalType.IamUser ? IamErrors.NoSuchUser(name) : IamErrors.NoSuchRole(name);

    private static IamError NoSuchPolicy(PrincipalType type, string name) =>
        type == PrincipalType.IamUser ? IamErrors.NoSuchUserPolicy(name) : IamErrors.NoSuchRolePolicy(name);
}
