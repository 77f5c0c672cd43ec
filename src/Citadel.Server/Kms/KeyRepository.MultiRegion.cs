using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>Changes of several keys of a multi-Region set, in one transaction.</summary>
internal sealed partial class KeyRepository
{
    /// <summary>Stores <paramref name="change"/>; on success the keys it touched are read again on next use (their decrypted material too).</summary>
    public async Task<StoreOutcome> ChangeSetAsync(KeySetChange change, CancellationToken ct)
    {
        var outcome = await store.ChangeKeySetAsync(change, ct);
        if (outcome != StoreOutcome.Success)
        {
            return outcome;
        }

        foreach (var update in change.Update)
        {
            OnKeyChanged(update.Key.Id);
            materials.Evict(update.Key.Id);
        }

        foreach (var creation in change.Create)
        {
            // A replica deleted and replicated again has the same id: the tombstone of the old one must not hide it.
            _deleted.TryRemove(creation.Key.Id, out _);
            OnKeyChanged(creation.Key.Id);
        }

        foreach (var key in change.Delete)
        {
            _deleted[key.Id] = 0;
            OnKeyDeleted(key.Id);
        }

        return outcome;
    }
}
