using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>Changes of a key together with its material versions (imported material).</summary>
internal sealed partial class KeyRepository
{
    /// <summary>
    /// Reads the key's material versions, applies <paramref name="change"/> and stores the key and the changed
    /// versions in one transaction, retrying on concurrent changes with fresh data. Decrypted material of the
    /// key is dropped from the cache afterwards, so deleted material is not used again. A change that alters
    /// nothing writes nothing.
    /// </summary>
    public async Task<Result<MaterialChange>> UpdateMaterialsAsync(
        KeyRecord key,
        Func<KeyRecord, IReadOnlyList<KeyMaterialRecord>, Result<MaterialChange>> change,
        CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxConflictRetries; attempt++)
        {
            var versions = await store.ListMaterialsAsync(key.Id, ct);
            var changed = change(key, versions);
            if (!changed.IsSuccess)
            {
                return changed;
            }

            var result = changed.Value;
            if (result.Upsert.Count == 0 && result.Remove.Count == 0 && result.Key == key)
            {
                return result;
            }

            var outcome = await store.UpdateKeyMaterialsAsync(result.Key, result.Upsert, result.Remove, ct);
            switch (outcome)
            {
                case StoreOutcome.Success:
                    var updated = result.Key with { RowVersion = key.RowVersion + 1 };
                    Remember(updated);
                    materials.Evict(key.Id);
                    return result with { Key = updated };
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

                    Remember(fresh);
                    key = fresh;
                    break;
            }
        }

        return new KmsError(KmsErrorCode.Conflict, $"{key.Arn} is being changed by another request. Try again.");
    }
}
