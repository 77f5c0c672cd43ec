using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.Protocol;

namespace Citadel.Server.Iam;

/// <summary>CreateRole, GetRole, ListRoles, UpdateAssumeRolePolicy, UpdateRole, DeleteRole.</summary>
internal sealed partial class IamService
{
    public async Task<IamResult<(IamEntity Role, IReadOnlyList<Tag> Tags)>> CreateRoleAsync(
        Principal caller, string? roleName, string? assumeRolePolicyDocument, string? path, string? description, int? maxSessionDuration, IReadOnlyList<Tag>? tags, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(roleName, "roleName");
        v.Required(assumeRolePolicyDocument, "assumeRolePolicyDocument");
        v.String(roleName, "roleName", IamShapes.RoleName);
        v.String(path, "path", IamShapes.Path);
        v.String(assumeRolePolicyDocument, "assumeRolePolicyDocument", IamShapes.PolicyDocument);
        v.String(description, "description", IamShapes.RoleDescription);
        v.Range(maxSessionDuration, "maxSessionDuration", 3600, 43200);
        ValidateTags(ref v, tags, "tags");
        if ((Invalid(v) ?? DuplicateTagKeys(tags) ?? CheckTrustPolicy(assumeRolePolicyDocument!)) is { } invalid)
        {
            return invalid;
        }

        return await CreateEntityAsync(
            caller.AccountId, PrincipalType.AssumedRole, roleName!, path, description, assumeRolePolicyDocument, maxSessionDuration ?? IamEntity.DefaultMaxSessionDuration, tags ?? [], ct);
    }

    public async Task<IamResult<(IamEntity Role, IReadOnlyList<Tag> Tags)>> GetRoleAsync(Principal caller, string? roleName, CancellationToken ct)
    {
        var role = await FindRoleAsync(caller, roleName, ct);
        return role.IsSuccess ? (role.Value, await store.ListPrincipalTagsAsync(role.Value.Principal.Arn, ct)) : role.Error.Value;
    }

    public Task<IamResult<IamPage<IamEntity>>> ListRolesAsync(Principal caller, string? pathPrefix, string? marker, int? maxItems, CancellationToken ct) =>
        ListEntitiesAsync(caller, PrincipalType.AssumedRole, pathPrefix, marker, maxItems, ct);

    public async Task<IamResult<bool>> UpdateAssumeRolePolicyAsync(Principal caller, string? roleName, string? policyDocument, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(policyDocument, "policyDocument");
        v.String(policyDocument, "policyDocument", IamShapes.PolicyDocument);
        if (Invalid(v) is { } invalid)
        {
            return invalid;
        }

        var role = await FindRoleAsync(caller, roleName, ct);
        if (!role.IsSuccess)
        {
            return role.Error.Value;
        }

        if (CheckTrustPolicy(policyDocument!) is { } malformed)
        {
            return malformed;
        }

        return await UpdateAsync(role.Value with { AssumeRolePolicyDocument = policyDocument }, ct);
    }

    /// <summary>Changes the description and/or the maximum session duration; what is not given stays.</summary>
    public async Task<IamResult<bool>> UpdateRoleAsync(Principal caller, string? roleName, string? description, int? maxSessionDuration, CancellationToken ct)
    {
        var v = default(Validation);
        v.String(description, "description", IamShapes.RoleDescription);
        v.Range(maxSessionDuration, "maxSessionDuration", 3600, 43200);
        if (Invalid(v) is { } invalid)
        {
            return invalid;
        }

        var role = await FindRoleAsync(caller, roleName, ct);
        if (!role.IsSuccess)
        {
            return role.Error.Value;
        }

        return await UpdateAsync(
            role.Value with { Description = description ?? role.Value.Description, MaxSessionDuration = maxSessionDuration ?? role.Value.MaxSessionDuration },
            ct);
    }

    /// <summary>Deletes a role that has no inline policies left (DeleteConflict otherwise); its access keys (from `citadel iam`) and tags go with it.</summary>
    public async Task<IamResult<bool>> DeleteRoleAsync(Principal caller, string? roleName, CancellationToken ct)
    {
        var role = await FindRoleAsync(caller, roleName, ct);
        return role.IsSuccess ? await DeleteEntityAsync(role.Value, ct) : role.Error.Value;
    }

    private Task<IamResult<IamEntity>> FindRoleAsync(Principal caller, string? roleName, CancellationToken ct) =>
        FindNamedAsync(caller, PrincipalType.AssumedRole, roleName, default, ct);

    private async Task<IamResult<bool>> UpdateAsync(IamEntity entity, CancellationToken ct)
    {
        if (await store.UpdateIamEntityAsync(entity, ct) != Storage.StoreOutcome.Success)
        {
            return IamErrors.NoSuchRole(entity.Principal.Name);
        }

        Changed();
        return true;
    }

    /// <summary>
    /// A trust policy is a resource policy on the role: every statement names a Principal, and none a
    /// Resource (AWS: "Has prohibited field Resource."). Its size counts against ACLSizePerRole.
    /// </summary>
    private static IamError? CheckTrustPolicy(string document)
    {
        if (PolicySize(document) > TrustPolicySize)
        {
            return IamErrors.TrustPolicySize(TrustPolicySize);
        }

        var parsed = Policy.Parse(document, PolicyKind.KeyPolicy);
        if (!parsed.IsSuccess)
        {
            return IamErrors.Malformed(parsed.Error.Value.Message);
        }

        foreach (var statement in parsed.Value.Statements)
        {
            if (statement.Resources is not null)
            {
                return IamErrors.Malformed(statement.IsNotResource ? "Has prohibited field NotResource." : "Has prohibited field Resource.");
            }
        }

        return null;
    }

    /// <summary>An identity policy: IAM's grammar without Principal, and within the aggregate size of the entity's inline policies.</summary>
    private static IamError? CheckIdentityPolicy(string document)
    {
        var parsed = Policy.Parse(document, PolicyKind.IdentityPolicy);
        return parsed.IsSuccess ? null : IamErrors.Malformed(parsed.Error.Value.Message);
    }
}
