using Citadel.Core.Errors;

namespace Citadel.Core.Keys;

/// <summary>What an ImportKeyMaterial request asks for, once its wire values are parsed.</summary>
/// <param name="MaterialId">The id computed from the unwrapped material (see <see cref="Crypto.Import.ImportedMaterial.IdOf"/>).</param>
/// <param name="NewMaterial">The ImportType: true NEW_KEY_MATERIAL, false EXISTING_KEY_MATERIAL, null not given.</param>
/// <param name="RequestedMaterialId">KeyMaterialId of the request, if any.</param>
/// <param name="Description">KeyMaterialDescription of the request, if any.</param>
/// <param name="Expiration">ExpirationModel of the request (KEY_MATERIAL_EXPIRES when not given).</param>
/// <param name="ValidTo">ValidTo of the request.</param>
public readonly record struct ImportInput(
    string MaterialId,
    bool? NewMaterial,
    string? RequestedMaterialId,
    string? Description,
    ExpirationModel Expiration,
    DateTimeOffset? ValidTo);

/// <summary>Where an import goes: the key after it (not yet settled) and the version the material takes, and the record it replaces when re-imported.</summary>
public readonly record struct ImportPlan(KeyRecord Key, int Version, KeyMaterialRecord? Existing);

/// <summary>A key and the material rows to write with it in one transaction.</summary>
public readonly record struct MaterialChange(KeyRecord Key, IReadOnlyList<KeyMaterialRecord> Upsert, IReadOnlyList<int> Remove, string MaterialId);

/// <summary>
/// Imported key material ("Importing key material", AWS KMS developer guide): which keys accept it,
/// how imports, deletions, expiry and on-demand rotation change the key and its material versions.
/// A key with origin EXTERNAL is usable only while every material version permanently associated with
/// it (the current one and older ones) is imported; otherwise it is PendingImport. Material imported
/// with NEW_KEY_MATERIAL waits, as the version after the current one (PENDING_ROTATION), until
/// RotateKeyOnDemand makes it current; until then it can be deleted and replaced.
/// </summary>
public static class ImportRules
{
    /// <summary>AWS: "The value of this parameter must be a future date and time. The maximum value is 365 days from the request date."</summary>
    public const int MaxValidToDays = 365;

    /// <summary>The key is a customer managed key with origin EXTERNAL.</summary>
    public static KmsError? CheckExternal(KeyRecord key)
    {
        if (key.Manager == KeyManager.Aws)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} is an AWS managed key; its key material cannot be imported or deleted.");
        }

        return key.Origin != KeyOrigin.External
            ? new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} origin is {WireNames.Of(key.Origin)} which is not valid for this operation.")
            : null;
    }

    /// <summary>GetParametersForImport and ImportKeyMaterial: Enabled, Disabled and PendingImport keys ("Key states of AWS KMS keys").</summary>
    public static KmsError? CheckImportable(KeyRecord key)
    {
        if (CheckExternal(key) is { } error)
        {
            return error;
        }

        return key.State is KeyState.Enabled or KeyState.Disabled or KeyState.PendingImport
            ? null
            : Errors.Errors.InvalidState(key.Arn, key.State);
    }

    /// <summary>The ValidTo/ExpirationModel rules of ImportKeyMaterial.</summary>
    public static KmsError? CheckExpiration(ExpirationModel model, DateTimeOffset? validTo, DateTimeOffset now)
    {
        if (model == ExpirationModel.KeyMaterialExpires)
        {
            if (validTo is not { } to)
            {
                return Errors.Errors.Validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
            }

            if (to <= now)
            {
                return Errors.Errors.Validation("ValidTo must be a future date and time.");
            }

            if (to > now.AddDays(MaxValidToDays))
            {
                return Errors.Errors.Validation($"ValidTo must be at most {MaxValidToDays} days from now.");
            }
        }
        else if (validTo is not null)
        {
            return Errors.Errors.Validation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
        }

        return null;
    }

    /// <summary>Decides where imported material goes; see the ImportType and KeyMaterialId members of ImportKeyMaterial.</summary>
    public static Result<ImportPlan> PlanImport(KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials, ImportInput input)
    {
        var symmetric = key.Spec == KeySpec.SymmetricDefault;
        if (!symmetric && (input.NewMaterial is not null || input.RequestedMaterialId is not null || input.Description is not null))
        {
            return Errors.Errors.Validation("ImportType, KeyMaterialId and KeyMaterialDescription can be used only with symmetric encryption keys.");
        }

        var newMaterial = input.NewMaterial ?? materials.Count == 0;
        if (newMaterial && input.RequestedMaterialId is not null)
        {
            return Errors.Errors.Validation("You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.");
        }

        if (input.RequestedMaterialId is { } requested && requested != input.MaterialId)
        {
            return Crypto.Import.ImportedMaterial.Incorrect($"It is not the key material {requested}.");
        }

        var match = materials.FirstOrDefault(m => m.MaterialId == input.MaterialId);
        if (!newMaterial)
        {
            return match is null
                ? Crypto.Import.ImportedMaterial.Incorrect($"It is not key material that was imported into {key.Arn} before.")
                : new ImportPlan(key, match.Version, match);
        }

        if (match is not null)
        {
            return Crypto.Import.ImportedMaterial.Incorrect($"It is already associated with {key.Arn}; import it again with ImportType EXISTING_KEY_MATERIAL.");
        }

        if (materials.Count == 0)
        {
            return new ImportPlan(key with { CurrentMaterialVersion = 1, CurrentKeyMaterialId = input.MaterialId }, 1, null);
        }

        if (materials.FirstOrDefault(m => m.Version > key.CurrentMaterialVersion) is { } pending)
        {
            return new KmsError(
                KmsErrorCode.UnsupportedOperation,
                $"{key.Arn} already has key material {pending.MaterialId} pending rotation. Rotate to it with RotateKeyOnDemand, or delete it with DeleteImportedKeyMaterial, before importing other new key material.");
        }

        return new ImportPlan(key, key.CurrentMaterialVersion + 1, null);
    }

    /// <summary>
    /// Where material imported into a multi-Region replica goes: the version its primary holds it as (<paramref name="version"/>),
    /// re-imported there if the replica has it. The first import into a replica makes it current only if it is the
    /// primary's current material (<paramref name="primaryCurrentVersion"/>); a newer version waits for the primary's rotation.
    /// </summary>
    public static ImportPlan PlanReplicaImport(KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials, string materialId, int version, int primaryCurrentVersion)
    {
        if (materials.FirstOrDefault(m => m.Version == version) is { } existing)
        {
            return new ImportPlan(key, version, existing);
        }

        return key.CurrentMaterialVersion == 0 && version == primaryCurrentVersion
            ? new ImportPlan(key with { CurrentMaterialVersion = version, CurrentKeyMaterialId = materialId }, version, null)
            : new ImportPlan(key, version, null);
    }

    /// <summary>The material record after an import into <paramref name="plan"/>'s version.</summary>
    public static KeyMaterialRecord Imported(ImportPlan plan, ImportInput input, byte[] sealedMaterial, DateTimeOffset now)
    {
        var record = plan.Existing ?? new KeyMaterialRecord(
            plan.Key.Id,
            plan.Version,
            input.MaterialId,
            [],
            now,
            plan.Version == 1 ? MaterialOrigin.Created : MaterialOrigin.OnDemandRotation);
        return record with
        {
            EncryptedMaterial = sealedMaterial,
            ImportState = MaterialImportState.Imported,
            ExpirationModel = input.Expiration,
            ValidTo = input.Expiration == ExpirationModel.KeyMaterialExpires ? input.ValidTo : null,
            Description = input.Description ?? record.Description,
        };
    }

    /// <summary>
    /// DeleteImportedKeyMaterial (and expiry): permanently associated material becomes PendingImport
    /// and the key with it (unless it is pending deletion); material pending rotation is removed.
    /// Without <paramref name="materialId"/>, the current material. A key with no material yet is unchanged.
    /// </summary>
    public static Result<MaterialChange> Delete(KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials, string? materialId)
    {
        if (materials.Count == 0)
        {
            return new MaterialChange(key, [], [], "");
        }

        var target = materialId is null
            ? materials.FirstOrDefault(m => m.Version == key.CurrentMaterialVersion)
            : materials.FirstOrDefault(m => m.MaterialId == materialId);
        if (target is null)
        {
            return new KmsError(KmsErrorCode.NotFound, $"Key material '{materialId}' is not associated with {key.Arn}");
        }

        if (target.Version > key.CurrentMaterialVersion)
        {
            var rest = materials.Where(m => m.Version != target.Version).ToList();
            return new MaterialChange(Settle(key, rest), [], [target.Version], target.MaterialId);
        }

        var deleted = target with { EncryptedMaterial = [], ImportState = MaterialImportState.PendingImport, ExpirationModel = null, ValidTo = null };
        var after = materials.Select(m => m.Version == target.Version ? deleted : m).ToList();
        return new MaterialChange(Settle(key, after), [deleted], [], target.MaterialId);
    }

    /// <summary>RotateKeyOnDemand of a key with imported material: the imported material pending rotation becomes current.</summary>
    public static Result<MaterialChange> Rotate(KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials, DateTimeOffset now)
    {
        if (key.Manager == KeyManager.Aws || key.Spec != KeySpec.SymmetricDefault || key.Usage != KeyUsage.EncryptDecrypt)
        {
            return KeyRotationRules.CheckRotatable(key) ?? new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Arn} cannot be rotated.");
        }

        if (KeyStateRules.CheckCryptographicUse(key) is { } stateError)
        {
            return stateError;
        }

        var pending = materials.FirstOrDefault(m => m.Version == key.CurrentMaterialVersion + 1);
        if (pending is null || !pending.IsPresent)
        {
            return new KmsError(
                KmsErrorCode.UnsupportedOperation,
                $"{key.Arn} has no imported key material pending rotation. Import new key material with ImportType NEW_KEY_MATERIAL, then rotate.");
        }

        var rotated = key with { CurrentMaterialVersion = pending.Version, CurrentKeyMaterialId = pending.MaterialId };
        return new MaterialChange(rotated, [pending with { RotatedAt = now }], [], pending.MaterialId);
    }

    /// <summary>The key state the materials call for: PendingImport while a permanently associated version is missing, Enabled again once all are back.</summary>
    public static KeyRecord Settle(KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials)
    {
        if (key.Origin != KeyOrigin.External)
        {
            return key;
        }

        var complete = IsComplete(key, materials);
        return key.State switch
        {
            KeyState.PendingImport when complete => key with { State = KeyState.Enabled },
            KeyState.Enabled or KeyState.Disabled when !complete => key with { State = KeyState.PendingImport },
            _ => key,
        };
    }

    /// <summary>Whether every material version permanently associated with the key is imported (and there is at least one).</summary>
    public static bool IsComplete(KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials)
    {
        var any = false;
        foreach (var material in materials)
        {
            if (material.Version > key.CurrentMaterialVersion)
            {
                continue;
            }

            if (!material.IsPresent)
            {
                return false;
            }

            any = true;
        }

        return any;
    }

    /// <summary>
    /// DescribeKey's ExpirationModel and ValidTo: present for EXTERNAL keys whose material is all imported;
    /// ValidTo is the earliest expiry of the permanently associated material.
    /// </summary>
    public static (ExpirationModel? Model, DateTimeOffset? ValidTo) Expiration(KeyRecord key, IReadOnlyList<KeyMaterialRecord> materials)
    {
        if (key.Origin != KeyOrigin.External || !IsComplete(key, materials))
        {
            return (null, null);
        }

        DateTimeOffset? earliest = null;
        foreach (var material in materials)
        {
            if (material.Version <= key.CurrentMaterialVersion && material.ValidTo is { } to && (earliest is null || to < earliest))
            {
                earliest = to;
            }
        }

        return earliest is null ? (ExpirationModel.KeyMaterialDoesNotExpire, null) : (ExpirationModel.KeyMaterialExpires, earliest);
    }

    /// <summary>KeyMaterialState of ListKeyRotations.</summary>
    public static string MaterialState(KeyRecord key, KeyMaterialRecord material) =>
        material.Version == key.CurrentMaterialVersion ? "CURRENT" : material.Version < key.CurrentMaterialVersion ? "NON_CURRENT" : "PENDING_ROTATION";
}
