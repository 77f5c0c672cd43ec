using Citadel.Core.Keys;

namespace Citadel.Storage.Sql;

/// <summary>Counts for monitoring (never on the request path).</summary>
internal abstract partial class SqlStore
{
    public async Task<IReadOnlyList<KeyCount>> CountKeysAsync(CancellationToken ct) =>
        await QueryAsync("SELECT state, manager, COUNT(*) FROM keys GROUP BY state, manager ORDER BY state, manager;", null, r => new KeyCount((KeyState)r.GetInt32(0), (KeyManager)r.GetInt32(1), r.GetInt64(2)), ct);
}
