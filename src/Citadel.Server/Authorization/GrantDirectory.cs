using System.Collections.Concurrent;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Authorization;

/// <summary>The grants of each key, cached; every grant change in this process invalidates its key.</summary>
internal sealed class GrantDirectory(IStore store)
{
    private readonly ConcurrentDictionary<KeyId, IReadOnlyList<GrantRecord>> _grants = new();

    public async ValueTask<IReadOnlyList<GrantRecord>> GetAsync(KeyId key, CancellationToken ct)
    {
        if (_grants.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var grants = await store.ListGrantsAsync(key, ct);
        _grants[key] = grants;
        return grants;
    }

    public void Invalidate(KeyId key) => _grants.TryRemove(key, out _);

    public void Clear() => _grants.Clear();
}
