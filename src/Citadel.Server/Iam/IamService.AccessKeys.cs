using Citadel.Core.Identity;
using Citadel.Server.Identity;
using Citadel.Server.Protocol;
using Citadel.Server.SigV4;
using Citadel.Storage;

namespace Citadel.Server.Iam;

/// <summary>
/// CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey. Without a UserName they act on the
/// calling user (the account root's own keys for the root); a role or session must name a user.
/// </summary>
internal sealed partial class IamService
{
    public async Task<IamResult<IamCreatedAccessKey>> CreateAccessKeyAsync(Principal caller, string? userName, CancellationToken ct)
    {
        var owner = await KeyOwnerAsync(caller, userName, default, ct);
        if (!owner.IsSuccess)
        {
            return owner.Error.Value;
        }

        var principal = owner.Value;
        var id = IdentityIds.NewAccessKeyId();
        var secret = IdentityIds.NewSecret();
        var now = time.GetUtcNow();
        var record = new AccessKeyRecord(id, principal.AccountId, principal.Arn, principal.Type, principal.PrincipalId, SecretSeal.Seal(seal, id, secret), now);
        switch (await store.CreateAccessKeyAsync(record, AccessKeysPerUser, ct))
        {
            case StoreOutcome.Success:
                Changed();
                return new IamCreatedAccessKey(principal.Name, id, secret, AccessKeyStatus.Active, now);
            case StoreOutcome.LimitExceeded:
                return IamErrors.AccessKeyQuota(AccessKeysPerUser);
            case StoreOutcome.NotFound:
                return IamErrors.NoSuchUser(principal.Name);
            default:
                // 80 random bits collided with an existing id: a bug elsewhere, not the caller's.
                throw new InvalidOperationException("A new access key id was already taken.");
        }
    }

    public async Task<IamResult<(string UserName, IamPage<AccessKeyMetadata> Keys)>> ListAccessKeysAsync(Principal caller, string? userName, string? marker, int? maxItems, CancellationToken ct)
    {
        var v = default(Validation);
        ValidatePaging(ref v, marker, maxItems);
        var owner = await KeyOwnerAsync(caller, userName, v, ct);
        if (!owner.IsSuccess)
        {
            return owner.Error.Value;
        }

        var keys = await store.ListAccessKeyMetadataAsync(owner.Value.Arn, ct);
        var page = Paginate(keys, k => k.AccessKeyId, marker, maxItems);
        return page.IsSuccess ? (owner.Value.Name, page.Value) : page.Error.Value;
    }

    public async Task<IamResult<bool>> UpdateAccessKeyAsync(Principal caller, string? userName, string? accessKeyId, string? status, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(accessKeyId, "accessKeyId");
        v.Required(status, "status");
        v.String(accessKeyId, "accessKeyId", IamShapes.AccessKeyId);
        v.String(status, "status", IamShapes.Status);
        if (!v.HasErrors && status is not ("Active" or "Inactive"))
        {
            return new IamError(IamErrorCode.InvalidInput, "Status must be Active or Inactive; Expired is set by IAM only.");
        }

        var owner = await KeyOwnerAsync(caller, userName, v, ct);
        if (!owner.IsSuccess)
        {
            return owner.Error.Value;
        }

        var outcome = await store.SetAccessKeyStatusAsync(owner.Value.Arn, accessKeyId!, status == "Active" ? AccessKeyStatus.Active : AccessKeyStatus.Inactive, ct);
        if (outcome != StoreOutcome.Success)
        {
            return IamErrors.NoSuchAccessKey(accessKeyId!);
        }

        Changed();
        return true;
    }

    public async Task<IamResult<bool>> DeleteAccessKeyAsync(Principal caller, string? userName, string? accessKeyId, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(accessKeyId, "accessKeyId");
        v.String(accessKeyId, "accessKeyId", IamShapes.AccessKeyId);
        var owner = await KeyOwnerAsync(caller, userName, v, ct);
        if (!owner.IsSuccess)
        {
            return owner.Error.Value;
        }

        // Only the owner's key: an id of another user's key is answered as one that does not exist.
        var keys = await store.ListAccessKeyMetadataAsync(owner.Value.Arn, ct);
        if (!keys.Any(k => k.AccessKeyId == accessKeyId) || await store.DeleteAccessKeyAsync(accessKeyId!, ct) != StoreOutcome.Success)
        {
            return IamErrors.NoSuchAccessKey(accessKeyId!);
        }

        Changed();
        return true;
    }

    /// <summary>The user a key operation acts on: the named one, or the caller when it is a user or the account root.</summary>
    private async Task<IamResult<PrincipalRecord>> KeyOwnerAsync(Principal caller, string? userName, Validation v, CancellationToken ct)
    {
        v.String(userName, "userName", IamShapes.ExistingUserName);
        if (Invalid(v) is { } invalid)
        {
            return invalid;
        }

        if (userName is not null)
        {
            var user = await FindAsync(caller.AccountId, PrincipalType.IamUser, userName, ct);
            return user.IsSuccess ? user.Value.Principal : user.Error.Value;
        }

        if (caller.Type is not (PrincipalType.IamUser or PrincipalType.Root))
        {
            return IamErrors.NonUserCredentials();
        }

        return await store.GetPrincipalAsync(caller.Arn, ct) is { } self ? self : IamErrors.NoSuchUser(caller.Arn);
    }
}
