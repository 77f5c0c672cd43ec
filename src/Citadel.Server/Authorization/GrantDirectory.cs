using System.Collections.Concurrent;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Cluster;
using Citadel.Storage;

namespace Citadel.Server.Authorization;

/// <summary>The grants of each key, cached; every grant change in this process invalidates its key.</summary>
internal sealed class GrantDirectory(IStore store)
{
    private readonly ConcurrentDictionary<KeyId, IReadOnlyList<GrantRecord>> _grants = new();
    private readonly InvalidationGuard _guard = new();

    public async ValueTask<IReadOnlyList<GrantRecord>> GetAsync(KeyId key, CancellationToken ct)
    {
        if (_grants.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var token = _guard.Begin(key.GetHashCode());
        var grants = await store.ListGrantsAsync(key, ct);
        if (_guard.IsCurrent(token))
        {
            _grants[key] = grants;
            if (!_guard.IsCurrent(token))
            {
                _grants.TryRemove(new KeyValuePair<KeyId, IReadOnlyList<GrantRecord>>(key, grants));
            }
        }

        return grants;
    }

    public void Invalidate(KeyId key)
    {
        _guard.Invalidate(key.GetHashCode());
        _grants.TryRemove(key, out _);
    }

    public void Clear()
    {
        _guard.InvalidateAll();
        _grants.Clear();
    }
}
