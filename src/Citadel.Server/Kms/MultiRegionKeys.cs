using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>Where key material imported into a replica goes: <paramref name="Version"/>, the primary's version of that material; <paramref name="PrimaryCurrentVersion"/>, the primary's current version.</summary>
internal readonly record struct ReplicaImport(int Version, int PrimaryCurrentVersion);

/// <summary>What ReplicateKey creates: a replica of <paramref name="Primary"/> in <paramref name="ReplicaRegion"/>, with its own policy, description and tags.</summary>
internal sealed record ReplicaSpec(KeyRecord Primary, string ReplicaRegion, string Policy, string Description, IReadOnlyList<Tag> Tags, DateTimeOffset Now);

/// <summary>
/// Multi-Region keys (developer guide, "Multi-Region keys in AWS KMS"): one key id and key material in several Regions,
/// a primary and its replicas. Shared properties (material and its versions, spec, usage, origin, automatic rotation)
/// follow the primary; policy, aliases, tags, grants, description and enabled state are each key's own. Every key of a
/// set is a row of its own (<see cref="KeyId.StoreKey"/>) carrying the set's Regions; a change that touches several
/// keys of a set is one store transaction (<see cref="IKeyStore.ChangeKeySetAsync"/>). Material is sealed under each
/// key's own ARN, so a replica's copy is the primary's material opened and sealed again.
/// </summary>
internal static class MultiRegionKeys
{
    /// <summary>How long a new replica stays Creating, and an UpdatePrimaryRegion Updating ("a few seconds" at AWS).</summary>
    public static readonly TimeSpan TransitionTime = TimeSpan.FromSeconds(2);

    private const int MaxConflictRetries = 8;

    /// <summary>ReplicateKey's rules on the primary and the Region, before any authorization in the replica Region.</summary>
    public static KmsError? CheckReplicable(KeyRecord key, string replicaRegion)
    {
        if (!key.IsMultiRegion)
        {
            return NotMultiRegion(key);
        }

        if (!key.IsPrimary)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} is not a multi-Region primary key. Replicate its primary key in {key.PrimaryRegion}.");
        }

        if (replicaRegion == key.Region)
        {
            return Errors.Validation($"The replica Region {replicaRegion} is the Region of the primary key {key.Arn}. Choose another Region.");
        }

        return key.ReplicaRegions.Contains(replicaRegion) ? AlreadyReplicated(key, replicaRegion) : null;
    }

    public static KmsError NotMultiRegion(KeyRecord key) => new(KmsErrorCode.UnsupportedOperation, $"{key.Arn} is not a multi-Region key.");

    /// <summary>The replica's ARN: the primary's key id in the replica Region.</summary>
    public static string ReplicaArn(KeyRecord primary, string replicaRegion) => Arns.Key(replicaRegion, primary.AccountId, primary.Id);

    /// <summary>
    /// Creates the replica (Creating, until <see cref="CompleteTransitionAsync"/>), with copies of the primary's material
    /// versions (none for imported material: each replica imports the same material), and adds its Region to every key
    /// of the set, in one transaction.
    /// </summary>
    public static async Task<Result<KeyRecord>> ReplicateAsync(KmsRuntime kms, ReplicaSpec spec, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxConflictRetries; attempt++)
        {
            var set = await kms.Store.ListKeySetAsync(spec.Primary.Id, ct);
            var primary = set.FirstOrDefault(k => k.Region == spec.Primary.Region);
            if (primary is null)
            {
                return Errors.KeyNotFound(spec.Primary.Arn);
            }

            if (set.Any(k => k.Region == spec.ReplicaRegion))
            {
                return AlreadyReplicated(primary, spec.ReplicaRegion);
            }

            if ((CheckReplicable(primary, spec.ReplicaRegion) ?? KeyStateRules.CheckManageable(primary)) is { } refused)
            {
                return refused;
            }

            var regions = primary.ReplicaRegions.Append(spec.ReplicaRegion).ToArray();
            var replica = primary with
            {
                Id = primary.Id.InRegion(spec.ReplicaRegion),
                Region = spec.ReplicaRegion,
                CreatedAt = spec.Now,
                State = KeyState.Creating,
                TransitionAt = spec.Now + TransitionTime,
                Description = spec.Description,
                Policy = spec.Policy,
                DeletionDate = null,
                PendingWindowInDays = null,
                ReplicaRegions = regions,
                RowVersion = 0,
            };
            replica = primary.Origin == KeyOrigin.External ? FollowRotation(replica, primary) with { CurrentMaterialVersion = 0, CurrentKeyMaterialId = "" } : Follow(replica, primary);
            var materials = primary.Origin == KeyOrigin.External ? [] : await CopyMaterialsAsync(kms, primary, replica, [], ct);
            var change = new KeySetChange
            {
                Create = [new KeyCreation(replica, materials, spec.Tags)],
                Update = set.Select(k => new KeyUpdate(k with { ReplicaRegions = regions }, [])).ToArray(),
            };
            switch (await kms.Keys.ChangeSetAsync(change, ct))
            {
                case StoreOutcome.Success:
                    return replica with { RowVersion = 1 };
                case StoreOutcome.AlreadyExists:
                    return AlreadyReplicated(primary, spec.ReplicaRegion);
            }
        }

        return Conflict(spec.Primary);
    }

    /// <summary>
    /// UpdatePrimaryRegion: the key of the set in <paramref name="newPrimaryRegion"/> becomes the primary, the current
    /// primary a replica; both are Updating until <see cref="CompleteTransitionAsync"/>. Every key of the set learns the new
    /// primary Region in the same transaction.
    /// </summary>
    public static async Task<Result<KeyRecord>> UpdatePrimaryRegionAsync(KmsRuntime kms, KeyRecord current, string newPrimaryRegion, DateTimeOffset now, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxConflictRetries; attempt++)
        {
            var set = await kms.Store.ListKeySetAsync(current.Id, ct);
            var primary = set.FirstOrDefault(k => k.Region == current.Region);
            if (primary is null)
            {
                return Errors.KeyNotFound(current.Arn);
            }

            if (!primary.IsPrimary)
            {
                return new KmsError(KmsErrorCode.UnsupportedOperation, $"{primary.Arn} is not a multi-Region primary key. Call UpdatePrimaryRegion on its primary key in {primary.PrimaryRegion}.");
            }

            if (newPrimaryRegion == primary.Region)
            {
                return primary;
            }

            var target = set.FirstOrDefault(k => k.Region == newPrimaryRegion);
            if (target is null)
            {
                return new KmsError(KmsErrorCode.NotFound, $"{ReplicaArn(primary, newPrimaryRegion)} does not exist. Replicate the key to {newPrimaryRegion} first.");
            }

            if ((CheckUpdatable(primary) ?? CheckUpdatable(target)) is { } refused)
            {
                return refused;
            }

            var replicas = primary.ReplicaRegions.Where(r => r != newPrimaryRegion).Append(primary.Region).ToArray();
            var updates = set.Select(k =>
            {
                var moved = k with { PrimaryRegion = newPrimaryRegion, ReplicaRegions = replicas };
                return new KeyUpdate(k.Region == primary.Region || k.Region == newPrimaryRegion ? moved with { State = KeyState.Updating, TransitionAt = now + TransitionTime } : moved, []);
            }).ToArray();
            if (await kms.Keys.ChangeSetAsync(new KeySetChange { Update = updates }, ct) == StoreOutcome.Success)
            {
                return updates.First(u => u.Key.Region == primary.Region).Key with { RowVersion = primary.RowVersion + 1 };
            }
        }

        return Conflict(current);
    }

    /// <summary>Ends a transient state whose time has come: Creating → Enabled (PendingImport without imported material), Updating → Enabled. Null when there was nothing to do.</summary>
    public static async Task<KeyRecord?> CompleteTransitionAsync(KmsRuntime kms, KeyRecord key, DateTimeOffset now, CancellationToken ct)
    {
        var changed = await kms.Keys.UpdateAsync(
            key,
            current => current.TransitionAt is { } at && at <= now && current.State is KeyState.Creating or KeyState.Updating
                ? current with
                {
                    State = current.State == KeyState.Creating && current.Origin == KeyOrigin.External && current.CurrentMaterialVersion == 0 ? KeyState.PendingImport : KeyState.Enabled,
                    TransitionAt = null,
                }
                : current,
            null,
            ct);
        return changed.IsSuccess && changed.Value.RowVersion != key.RowVersion ? changed.Value : null;
    }

    /// <summary>
    /// Makes the replicas of <paramref name="primary"/> follow its shared properties: rotation settings, the current
    /// material version, and copies of material versions they lack. Idempotent; a primary without replicas needs nothing.
    /// A synchronization that changed a replica is recorded in the primary's Region as AWS's SynchronizeMultiRegionKey event.
    /// </summary>
    public static async Task SyncReplicasAsync(KmsRuntime kms, KeyRecord primary, CancellationToken ct)
    {
        if (!primary.IsPrimary || primary.ReplicaRegions.Count == 0)
        {
            return;
        }

        for (var attempt = 0; attempt < MaxConflictRetries; attempt++)
        {
            var set = await kms.Store.ListKeySetAsync(primary.Id, ct);
            var fresh = set.FirstOrDefault(k => k.Region == primary.Region);
            if (fresh is null || !fresh.IsPrimary)
            {
                return;
            }

            var updates = new List<KeyUpdate>();
            foreach (var replica in set.Where(k => k.Region != fresh.Region))
            {
                var held = await kms.Store.ListMaterialsAsync(replica.Id, ct);
                var followed = fresh.Origin == KeyOrigin.External ? FollowImported(replica, fresh, held) : Follow(replica, fresh);
                var have = held.Select(m => m.Version).ToHashSet();
                var materials = fresh.Origin == KeyOrigin.External ? [] : await CopyMaterialsAsync(kms, fresh, followed, have, ct);
                if (materials.Count > 0 || followed != replica)
                {
                    updates.Add(new KeyUpdate(followed, materials));
                }
            }

            if (updates.Count == 0)
            {
                return;
            }

            if (await kms.Keys.ChangeSetAsync(new KeySetChange { Update = updates }, ct) == StoreOutcome.Success)
            {
                await kms.ServiceAudit.SynchronizedAsync(fresh);
                return;
            }
        }
    }

    /// <summary>
    /// Deletes a key whose waiting period ended. A replica leaves its set: the other keys forget its Region, and a primary
    /// waiting in PendingReplicaDeletion for its last replica starts its own waiting period now.
    /// </summary>
    public static async Task<StoreOutcome> DeleteAsync(KmsRuntime kms, KeyRecord key, DateTimeOffset now, CancellationToken ct)
    {
        if (!key.IsMultiRegion)
        {
            return await kms.Keys.DeleteAsync(key, ct);
        }

        var set = await kms.Store.ListKeySetAsync(key.Id, ct);
        var others = set.Where(k => k.Region != key.Region).Select(k =>
        {
            var left = k with { ReplicaRegions = k.ReplicaRegions.Where(r => r != key.Region).ToArray() };
            return new KeyUpdate(KeyStateRules.ReplicasDeleted(left, now), []);
        }).ToArray();
        return await kms.Keys.ChangeSetAsync(new KeySetChange { Update = others, Delete = [key] }, ct);
    }

    /// <summary>
    /// ImportKeyMaterial into a replica: the material must be what its primary holds (developer guide, "Importing key
    /// material into multi-Region keys"), recognised by its key-material id, which the id of the set and the material
    /// determine; it takes the primary's version of that material (ImportKeyMaterial: new material is imported into the
    /// primary with NEW_KEY_MATERIAL, then into each replica with EXISTING_KEY_MATERIAL). Null for a primary or a
    /// single-Region key, which take any material.
    /// </summary>
    public static async Task<Result<ReplicaImport?>> PlaceReplicaImportAsync(KmsRuntime kms, KeyRecord key, string materialId, CancellationToken ct)
    {
        if (!key.IsReplica)
        {
            return (ReplicaImport?)null;
        }

        var primary = await kms.Store.GetKeyAsync(key.Id.InRegion(key.PrimaryRegion!), ct);
        var primaryMaterials = primary is null ? [] : await kms.Store.ListMaterialsAsync(primary.Id, ct);
        if (primaryMaterials.FirstOrDefault(m => m.MaterialId == materialId) is not { } same)
        {
            return Core.Crypto.Import.ImportedMaterial.Incorrect($"A multi-Region replica key takes only key material imported into its primary key in {key.PrimaryRegion}.");
        }

        return new ReplicaImport(same.Version, primary!.CurrentMaterialVersion);
    }

    /// <summary>
    /// RotateKeyOnDemand of a primary with imported material: the material pending rotation must be imported into every
    /// replica first (RotateKeyOnDemand: "import new key material in the primary Region key, import the same key material
    /// in each replica Region key, and invoke the on-demand rotation on the primary Region key").
    /// </summary>
    public static async Task<KmsError?> CheckImportedRotationAsync(KmsRuntime kms, KeyRecord primary, CancellationToken ct)
    {
        if (!primary.IsPrimary || primary.ReplicaRegions.Count == 0)
        {
            return null;
        }

        var pending = (await kms.Store.ListMaterialsAsync(primary.Id, ct)).FirstOrDefault(m => m.Version == primary.CurrentMaterialVersion + 1);
        if (pending is null)
        {
            return null;
        }

        var lacking = new List<string>();
        foreach (var region in primary.ReplicaRegions)
        {
            var materials = await kms.Store.ListMaterialsAsync(primary.Id.InRegion(region), ct);
            if (!materials.Any(m => m.MaterialId == pending.MaterialId && m.IsPresent))
            {
                lacking.Add(region);
            }
        }

        return lacking.Count == 0
            ? null
            : new KmsError(
                KmsErrorCode.UnsupportedOperation,
                $"{primary.Arn} key material {pending.MaterialId} is not yet imported into its replica keys in {string.Join(", ", lacking)}. Import it into each of them with ImportType EXISTING_KEY_MATERIAL, then rotate.");
    }

    private static KmsError? CheckUpdatable(KeyRecord key) => key.State switch
    {
        KeyState.Enabled => null,
        KeyState.Disabled => Errors.Disabled(key.Arn),
        _ => Errors.InvalidState(key.Arn, key.State),
    };

    /// <summary>The shared properties of <paramref name="primary"/> on <paramref name="key"/> (a replica is never listed as due for rotation: its primary rotates it).</summary>
    private static KeyRecord Follow(KeyRecord key, KeyRecord primary) => FollowRotation(key, primary) with
    {
        Spec = primary.Spec,
        Usage = primary.Usage,
        Origin = primary.Origin,
        CurrentMaterialVersion = primary.CurrentMaterialVersion,
        CurrentKeyMaterialId = primary.CurrentKeyMaterialId,
    };

    /// <summary>A replica of imported material follows the primary's current version once it holds that version's material (each replica imports it itself).</summary>
    private static KeyRecord FollowImported(KeyRecord replica, KeyRecord primary, IReadOnlyList<KeyMaterialRecord> held) =>
        replica.CurrentMaterialVersion > 0 && held.Any(m => m.Version == primary.CurrentMaterialVersion && m.IsPresent)
            ? FollowRotation(replica, primary) with { CurrentMaterialVersion = primary.CurrentMaterialVersion, CurrentKeyMaterialId = primary.CurrentKeyMaterialId }
            : FollowRotation(replica, primary);

    private static KeyRecord FollowRotation(KeyRecord key, KeyRecord primary) => key with
    {
        RotationEnabled = primary.RotationEnabled,
        RotationPeriodInDays = primary.RotationPeriodInDays,
        NextRotationAt = primary.NextRotationAt,
    };

    /// <summary>The primary's material versions that <paramref name="have"/> lacks, opened and sealed again under the replica's ARN.</summary>
    private static async Task<IReadOnlyList<KeyMaterialRecord>> CopyMaterialsAsync(KmsRuntime kms, KeyRecord primary, KeyRecord replica, HashSet<int> have, CancellationToken ct)
    {
        var copies = new List<KeyMaterialRecord>();
        foreach (var material in await kms.Store.ListMaterialsAsync(primary.Id, ct))
        {
            if (have.Contains(material.Version) || !material.IsPresent)
            {
                continue;
            }

            var plain = MaterialProtector.Unprotect(kms.Seal, primary.Arn, material.Version, material.EncryptedMaterial);
            try
            {
                copies.Add(material with
                {
                    KeyId = replica.Id,
                    EncryptedMaterial = MaterialProtector.Protect(kms.Seal, replica.Arn, material.Version, plain),
                });
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plain);
            }
        }

        return copies;
    }

    private static KmsError AlreadyReplicated(KeyRecord primary, string region) =>
        new(KmsErrorCode.AlreadyExists, $"{ReplicaArn(primary, region)} already exists. A multi-Region key has at most one replica in each Region.");

    private static KmsError Conflict(KeyRecord key) => new(KmsErrorCode.Conflict, $"{key.Arn} is being changed by another request. Try again.");
}
