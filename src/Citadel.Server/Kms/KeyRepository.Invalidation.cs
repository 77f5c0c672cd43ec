using System.Collections.Concurrent;
using Citadel.Core.Keys;
using Citadel.Server.Cluster;

namespace Citadel.Server.Kms;

/// <summary>Dropping cached keys, aliases and tags when the store changed them: here, or on another node (through the change feed).</summary>
internal sealed partial class KeyRepository
{
    /// <summary>The stripe of every key's alias-name list: any alias change may change any of them.</summary>
    private const int AliasNamesStripe = 0x5A5A;

    private readonly InvalidationGuard _guard = new();

    /// <summary>The key's metadata changed: it, and what hangs off it, are read again on next use.</summary>
    public void OnKeyChanged(KeyId id)
    {
        _guard.Invalidate(id.GetHashCode());
        _keys.TryRemove(id, out _);
        _tags.TryRemove(id, out _);
    }

    /// <summary>The key is gone, with its material, aliases and tags.</summary>
    public void OnKeyDeleted(KeyId id)
    {
        _guard.Invalidate(id.GetHashCode());
        _guard.Invalidate(AliasNamesStripe);
        _keys.TryRemove(id, out _);
        _tags.TryRemove(id, out _);
        _aliasNames.TryRemove(id, out _);
        foreach (var pair in _aliases)
        {
            if (pair.Value.TargetKeyId == id)
            {
                _guard.Invalidate(pair.Key.GetHashCode());
                _aliases.TryRemove(pair);
            }
        }

        materials.Evict(id);
    }

    public void OnTagsChanged(KeyId id)
    {
        _guard.Invalidate(id.GetHashCode());
        _tags.TryRemove(id, out _);
    }

    public void OnAliasChanged(string account, string region, string name)
    {
        _guard.Invalidate((account, region, name).GetHashCode());
        _guard.Invalidate(AliasNamesStripe);
        _aliases.TryRemove((account, region, name), out _);
        _aliasNames.Clear();
    }

    private void RememberIfCurrent(KeyRecord key, InvalidationGuard.Token token)
    {
        if (!_guard.IsCurrent(token))
        {
            return;
        }

        Remember(key);
        if (!_guard.IsCurrent(token))
        {
            _keys.TryRemove(new KeyValuePair<KeyId, KeyRecord>(key.Id, key));
        }
    }

    private void StoreIfCurrent<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, TValue value, InvalidationGuard.Token token)
        where TKey : notnull
    {
        if (!_guard.IsCurrent(token))
        {
            return;
        }

        cache[key] = value;
        if (!_guard.IsCurrent(token))
        {
            cache.TryRemove(new KeyValuePair<TKey, TValue>(key, value));
        }
    }
}
