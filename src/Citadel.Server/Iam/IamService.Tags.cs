using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Storage;

namespace Citadel.Server.Iam;

/// <summary>TagUser, UntagUser, ListUserTags, TagRole, UntagRole, ListRoleTags.</summary>
internal sealed partial class IamService
{
    public async Task<IamResult<bool>> TagAsync(Principal caller, PrincipalType type, string? entityName, IReadOnlyList<Tag>? tags, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(tags, "tags");
        ValidateTags(ref v, tags, "tags");
        if (!v.HasErrors && DuplicateTagKeys(tags) is { } duplicate)
        {
            return duplicate;
        }

        return await ChangeTagsAsync(caller, type, entityName, tags ?? [], [], v, ct);
    }

    public async Task<IamResult<bool>> UntagAsync(Principal caller, PrincipalType type, string? entityName, IReadOnlyList<string>? tagKeys, CancellationToken ct)
    {
        var v = default(Validation);
        v.Required(tagKeys, "tagKeys");
        v.Count(tagKeys, "tagKeys", 0, TagsPerEntity);
        v.StringMembers(tagKeys?.ToList(), "tagKeys", IamShapes.TagKey);
        return await ChangeTagsAsync(caller, type, entityName, [], tagKeys ?? [], v, ct);
    }

    public async Task<IamResult<IamPage<Tag>>> ListTagsAsync(Principal caller, PrincipalType type, string? entityName, string? marker, int? maxItems, CancellationToken ct)
    {
        var v = default(Validation);
        ValidatePaging(ref v, marker, maxItems);
        var entity = await FindNamedAsync(caller, type, entityName, v, ct);
        if (!entity.IsSuccess)
        {
            return entity.Error.Value;
        }

        var tags = (await store.ListPrincipalTagsAsync(entity.Value.Principal.Arn, ct)).OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
        return Paginate(tags, t => t.Key, marker, maxItems);
    }

    private async Task<IamResult<bool>> ChangeTagsAsync(Principal caller, PrincipalType type, string? entityName, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, Validation v, CancellationToken ct)
    {
        var entity = await FindNamedAsync(caller, type, entityName, v, ct);
        if (!entity.IsSuccess)
        {
            return entity.Error.Value;
        }

        switch (await store.ChangePrincipalTagsAsync(entity.Value.Principal.Arn, upsert, remove, TagsPerEntity, ct))
        {
            case StoreOutcome.Success:
                Changed();
                return true;
            case StoreOutcome.LimitExceeded:
                return IamErrors.TagQuota(TagsPerEntity);
            default:
                return NoSuchEntity(type, entityName!);
        }
    }
}
