using System.Collections.Concurrent;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Observability;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// Keys and aliases through a write-through cache. Every change goes to the store first, in one
/// transaction; the cache is updated only after the store has accepted it.
/// </summary>
internal sealed partial class KeyRepository(IStore store, MaterialCache materials, KmsOptions options)
{
    private const int MaxConflictRetries = 8;

    private readonly ConcurrentDictionary<KeyId, KeyRecord> _keys = new();
    private readonly ConcurrentDictionary<(string Account, string Region, string Name), AliasRecord> _aliases = new();
    private readonly ConcurrentDictionary<KeyId, byte> _deleted = new();
    private readonly ConcurrentDictionary<string, string> _policyTexts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<KeyId, IReadOnlyList<Tag>> _tags = new();
    private readonly ConcurrentDictionary<KeyId, IReadOnlyList<string>> _aliasNames = new();

    public IStore Store => store;

    public async ValueTask<KeyRecord?> GetAsync(KeyId id, CancellationToken ct)
    {
        if (_keys.TryGetValue(id, out var key))
        {
            CacheTags.Key.Hit();
            return key;
        }

        CacheTags.Key.Miss();
        var token = _guard.Begin(id.GetHashCode());
        key = await store.GetKeyAsync(id, ct);
        if (key is not null)
        {
            RememberIfCurrent(key, token);
        }

        return key;
    }

    public async ValueTask<AliasRecord?> GetAliasAsync(string account, string region, string name, CancellationToken ct)
    {
        if (_aliases.TryGetValue((account, region, name), out var alias))
        {
            CacheTags.Alias.Hit();
            return alias;
        }

        CacheTags.Alias.Miss();
        var token = _guard.Begin((account, region, name).GetHashCode());
        alias = await store.GetAliasAsync(account, region, name, ct);
        if (alias is not null)
        {
            StoreIfCurrent(_aliases, (account, region, name), alias, token);
        }

        return alias;
    }

    public async Task<StoreOutcome> CreateAsync(KeyRecord key, KeyMaterialRecord? material, IReadOnlyList<Tag> tags, CancellationToken ct)
    {
        var token = _guard.Begin(key.Id.GetHashCode());
        var outcome = await store.CreateKeyAsync(key, material, tags, ct);
        if (outcome == StoreOutcome.Success)
        {
            RememberIfCurrent(key with { RowVersion = 1 }, token);
        }

        return outcome;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the key and stores the result, retrying on concurrent
    /// changes by reloading and deciding again, so the outcome is what some serial order gives.
    /// A change that returns the same record writes nothing.
    /// </summary>
    public async Task<Result<KeyRecord>> UpdateAsync(
        KeyRecord key,
        Func<KeyRecord, Result<KeyRecord>> change,
        Func<KeyRecord, KeyMaterialRecord?>? newMaterial,
        CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxConflictRetries; attempt++)
        {
            var changed = change(key);
            if (!changed.IsSuccess || ReferenceEquals(changed.Value, key))
            {
                return changed;
            }

            var updated = changed.Value;
            var token = _guard.Begin(key.Id.GetHashCode());
            var outcome = await store.UpdateKeyAsync(updated, newMaterial?.Invoke(updated), ct);
            switch (outcome)
            {
                case StoreOutcome.Success:
                    updated = updated with { RowVersion = key.RowVersion + 1 };
                    RememberIfCurrent(updated, token);
                    return updated;
                case StoreOutcome.NotFound:
                    Forget(key.Id);
                    return Errors.KeyNotFound(key.Arn);
                default:
                    var fresh = await store.GetKeyAsync(key.Id, ct);
                    if (fresh is null)
                    {
                        Forget(key.Id);
                        return Errors.KeyNotFound(key.Arn);
                    }

                    RememberIfCurrent(fresh, token);
                    key = fresh;
                    break;
            }
        }

        return new KmsError(KmsErrorCode.Conflict, $"{key.Arn} is being changed by another request. Try again.");
    }

    public async Task<StoreOutcome> DeleteAsync(KeyRecord key, CancellationToken ct)
    {
        var outcome = await store.DeleteKeyAsync(key, ct);
        if (outcome == StoreOutcome.Success)
        {
            // Key ids are never reused, so a tombstone can stay; it stops a concurrent reader re-caching the key.
            _deleted[key.Id] = 0;
            Forget(key.Id);
            materials.Evict(key.Id);
            _tags.TryRemove(key.Id, out _);
            _aliasNames.TryRemove(key.Id, out _);
            foreach (var pair in _aliases)
            {
                if (pair.Value.TargetKeyId == key.Id)
                {
                    _aliases.TryRemove(pair);
                }
            }
        }

        return outcome;
    }

    /// <summary>The key's tags, cached until a tag change in this process.</summary>
    public async ValueTask<IReadOnlyList<Tag>> GetTagsAsync(KeyId id, CancellationToken ct)
    {
        if (_tags.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var token = _guard.Begin(id.GetHashCode());
        var tags = await store.ListTagsAsync(id, ct);
        StoreIfCurrent(_tags, id, tags, token);
        return tags;
    }

    public async Task<StoreOutcome> ChangeTagsAsync(KeyId id, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, CancellationToken ct)
    {
        var outcome = await store.ChangeTagsAsync(id, upsert, remove, ct);
        OnTagsChanged(id);
        return outcome;
    }

    /// <summary>The names of the aliases that point at the key (kms:ResourceAliases), cached until an alias change.</summary>
    public async ValueTask<IReadOnlyList<string>> GetAliasNamesAsync(KeyRecord key, CancellationToken ct)
    {
        if (_aliasNames.TryGetValue(key.Id, out var cached))
        {
            return cached;
        }

        var token = _guard.Begin(AliasNamesStripe);
        var page = await store.ListAliasesAsync(key.AccountId, key.Region, key.Id, 1000, null, ct);
        var names = page.Items.Select(a => a.Name).ToArray();
        StoreIfCurrent(_aliasNames, key.Id, names, token);
        return names;
    }

    /// <summary>Drops everything cached (another node changed the store, or a development reset).</summary>
    public void Clear()
    {
        _guard.InvalidateAll();
        _keys.Clear();
        _aliases.Clear();
        _tags.Clear();
        _aliasNames.Clear();
    }

    public void Forget(KeyId id) => _keys.TryRemove(id, out _);

    private void Remember(KeyRecord key)
    {
        // Most keys share a few policy texts (the default policy of their account): keep one copy of
        // each, so 100,000 cached keys do not hold 100,000 copies, and the policy compiles once.
        if (_policyTexts.Count > 10_000)
        {
            _policyTexts.Clear();
        }

        var shared = _policyTexts.GetOrAdd(key.Policy, key.Policy);
        if (!ReferenceEquals(shared, key.Policy))
        {
            key = key with { Policy = shared };
        }

        if (_keys.Count >= options.KeyCacheSize)
        {
            // Arbitrary eviction of a tenth: cheap, and rare when the bound fits the working set.
            var toEvict = options.KeyCacheSize / 10;
            foreach (var id in _keys.Keys)
            {
                if (toEvict-- <= 0)
                {
                    break;
                }

                _keys.TryRemove(id, out _);
            }
        }

        // Keep the newest version: a slow reader must not put back a record older than a writer's.
        if (_deleted.ContainsKey(key.Id))
        {
            return;
        }

        _keys.AddOrUpdate(key.Id, key, (_, existing) => existing.RowVersion > key.RowVersion ? existing : key);
    }
}
