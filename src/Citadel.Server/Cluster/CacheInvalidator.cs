using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.SigV4;
using Citadel.Storage.Cluster;

namespace Citadel.Server.Cluster;

/// <summary>
/// Drops what this node caches about a change that a node committed: the one invalidation path, for the changes the
/// store's feed delivers and for the writes of this node's repositories (grants, aliases), which may call it concurrently.
/// </summary>
internal sealed class CacheInvalidator(KeyRepository keys, MaterialCache materials, GrantDirectory grants, IdentityDirectory identities, AccessKeyCache accessKeys) : IChangeSink
{
    public void OnChange(StoreChange change)
    {
        switch (change.Kind)
        {
            case StoreChangeKind.Key when change.Key is { } id:
                keys.OnKeyChanged(id);
                break;
            case StoreChangeKind.KeyDeleted when change.Key is { } id:
                keys.OnKeyDeleted(id);
                grants.Invalidate(id);
                break;
            case StoreChangeKind.Tags when change.Key is { } id:
                keys.OnTagsChanged(id);
                break;
            case StoreChangeKind.Grants when change.Key is { } id:
                grants.Invalidate(id);
                break;
            case StoreChangeKind.Alias when change is { AccountId: { } account, Region: { } region, AliasName: { } name }:
                keys.OnAliasChanged(account, region, name);
                break;
            case StoreChangeKind.Identities:
                identities.Clear();
                accessKeys.Clear();
                break;
            case StoreChangeKind.AllKeys:
                keys.Clear();
                materials.Clear();
                grants.Clear();
                break;
            default:
                keys.Clear();
                materials.Clear();
                grants.Clear();
                identities.Clear();
                accessKeys.Clear();
                break;
        }
    }
}
