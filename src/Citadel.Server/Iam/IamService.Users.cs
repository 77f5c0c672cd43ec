using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Identity;
using Citadel.Server.Protocol;
using Citadel.Storage;

namespace Citadel.Server.Iam;

/// <summary>CreateUser, GetUser, ListUsers, DeleteUser.</summary>
internal sealed partial class IamService
{
    public async Task<IamResult<(IamEntity User, IReadOnlyList<Tag> Tags)>> CreateUserAsync(Principal caller, string? userName, string? path, IReadOnlyList<Tag>? tags, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(userName, "userName");
        v.String(userName, "userName", IamShapes.UserName);
        v.String(path, "path", IamShapes.Path);
        ValidateTags(ref v, tags, "tags");
        if ((Invalid(v) ?? DuplicateTagKeys(tags)) is { } invalid)
        {
            return invalid;
        }

        // A user on the XKS store path is a logical key store (Xks/XksNames.IsStore): only `citadel xks` makes them.
        if (path is not null && path.StartsWith(Xks.XksNames.StorePath, StringComparison.Ordinal))
        {
            return new IamError(IamErrorCode.InvalidInput, $"The path {Xks.XksNames.StorePath} is reserved for Citadel's XKS key stores; create a store with `citadel xks create-store`.");
        }

        return await CreateEntityAsync(caller.AccountId, PrincipalType.IamUser, userName!, path, null, null, IamEntity.DefaultMaxSessionDuration, tags ?? [], ct);
    }

    /// <summary>The named user, or without a name the calling user (the account root is shown as AWS shows it: no name, no path).</summary>
    public async Task<IamResult<(IamEntity User, IReadOnlyList<Tag> Tags)>> GetUserAsync(Principal caller, string? userName, CancellationToken ct)
    {
        var v = default(Validation);
        v.String(userName, "userName", IamShapes.ExistingUserName);
        if (Invalid(v) is { } invalid)
        {
            return invalid;
        }

        if (userName is null)
        {
            switch (caller.Type)
            {
                case PrincipalType.Root:
                    var root = await store.GetPrincipalAsync(caller.Arn, ct);
                    return (new IamEntity(root ?? new PrincipalRecord(caller.Arn, caller.AccountId, PrincipalType.Root, "", caller.PrincipalId, time.GetUtcNow()), "", null, null, 0), []);
                case PrincipalType.IamUser:
                    userName = (await store.GetPrincipalAsync(caller.Arn, ct))?.Name;
                    if (userName is null)
                    {
                        return IamErrors.NoSuchUser(caller.Arn);
                    }

                    break;
                default:
                    return IamErrors.NonUserCredentials();
            }
        }

        var user = await FindAsync(caller.AccountId, PrincipalType.IamUser, userName, ct);
        return user.IsSuccess ? (user.Value, await store.ListPrincipalTagsAsync(user.Value.Principal.Arn, ct)) : user.Error.Value;
    }

    public Task<IamResult<IamPage<IamEntity>>> ListUsersAsync(Principal caller, string? pathPrefix, string? marker, int? maxItems, CancellationToken ct) =>
        ListEntitiesAsync(caller, PrincipalType.IamUser, pathPrefix, marker, maxItems, ct);

    /// <summary>Deletes a user that has no access keys and no inline policies left (DeleteConflict otherwise, as in AWS); its tags go with it.</summary>
    public async Task<IamResult<bool>> DeleteUserAsync(Principal caller, string? userName, CancellationToken ct)
    {
        var user = await FindNamedAsync(caller, PrincipalType.IamUser, userName, default, ct);
        if (!user.IsSuccess)
        {
            return user.Error.Value;
        }

        var arn = user.Value.Principal.Arn;
        if ((await store.ListAccessKeysAsync(arn, ct)).Count > 0)
        {
            return IamErrors.MustDeleteAccessKeys();
        }

        return await DeleteEntityAsync(user.Value, ct);
    }

    private async Task<IamResult<bool>> DeleteEntityAsync(IamEntity entity, CancellationToken ct)
    {
        if ((await store.ListIdentityPoliciesAsync(entity.Principal.Arn, ct)).Count > 0)
        {
            return IamErrors.MustDeletePolicies();
        }

        if (await store.DeletePrincipalAsync(entity.Principal.Arn, ct) != StoreOutcome.Success)
        {
            return NoSuchEntity(entity.Principal.Type, entity.Principal.Name);
        }

        Changed();
        return true;
    }

    private async Task<IamResult<(IamEntity, IReadOnlyList<Tag>)>> CreateEntityAsync(
        string accountId, PrincipalType type, string name, string? path, string? description, string? trustPolicy, int maxSessionDuration, IReadOnlyList<Tag> tags, CancellationToken ct)
    {
        path ??= "/";
        var principal = new PrincipalRecord(
            IamEntity.Arn(accountId, type, path, name), accountId, type, name, IdentityIds.NewPrincipalId(type == PrincipalType.IamUser ? "AIDA" : "AROA"), time.GetUtcNow());
        var entity = new IamEntity(principal, path, description, trustPolicy, maxSessionDuration);
        switch (await store.CreateIamEntityAsync(entity, tags, ct))
        {
            case StoreOutcome.Success:
                Changed();
                return (entity, tags);
            case StoreOutcome.NotFound:
                // The caller authenticated in this account, so it exists; a race with its removal only.
                return NoSuchEntity(type, name);
            default:
                return type == PrincipalType.IamUser ? IamErrors.UserExists(name) : IamErrors.RoleExists(name);
        }
    }

    private async Task<IamResult<IamPage<IamEntity>>> ListEntitiesAsync(Principal caller, PrincipalType type, string? pathPrefix, string? marker, int? maxItems, CancellationToken ct)
    {
        var v = default(Validation);
        v.String(pathPrefix, "pathPrefix", IamShapes.PathPrefix);
        ValidatePaging(ref v, marker, maxItems);
        if (Invalid(v) is { } invalid)
        {
            return invalid;
        }

        var all = await store.ListIamEntitiesAsync(caller.AccountId, type, ct);
        var matching = pathPrefix is null ? all : all.Where(e => e.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).ToList();
        return Paginate(matching, e => e.Principal.Name, marker, maxItems);
    }
}
