using System.Globalization;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Crypto.Import;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// ImportKeyMaterial: opens the import token, unwraps the material with the token's wrapping key,
/// checks it against the key spec, and stores it as a new or a re-imported material version
/// (<see cref="ImportRules"/>), with the key's state, in one transaction.
/// </summary>
internal static class ImportKeyMaterialHandler
{
    private static (ExpirationModel Model, DateTimeOffset? ValidTo) Expiration(ImportKeyMaterialRequest r)
    {
        var expiration = r.ExpirationModel == "KEY_MATERIAL_DOES_NOT_EXPIRE" ? ExpirationModel.KeyMaterialDoesNotExpire : ExpirationModel.KeyMaterialExpires;
        if (!EpochSeconds.TryToTime(r.ValidTo, out var validTo))
        {
            // Beyond what a DateTimeOffset holds: as far out of the allowed window as a time can be.
            validTo = r.ValidTo > 0 ? DateTimeOffset.MaxValue : DateTimeOffset.MinValue;
        }

        return (expiration, validTo);
    }

    public static KmsError? Admit(Caller caller, ImportKeyMaterialRequest r)
    {
        var (expiration, validTo) = Expiration(r);
        return ImportRules.CheckExpiration(expiration, validTo, caller.Facts.Now);
    }

    public static void Facts(RequestFacts facts, ImportKeyMaterialRequest r)
    {
        var (expiration, validTo) = Expiration(r);
        facts.ExpirationModel = ImportWireNames.Of(expiration);
        facts.ValidTo = validTo?.ToUnixTimeSeconds();
    }

    public static KmsError? Check(Caller caller, ImportKeyMaterialRequest r, KeyRecord? key) => ImportRules.CheckImportable(key!);

    public static async ValueTask<Result<ImportKeyMaterialResponse>> ImportKeyMaterialAsync(KmsRuntime kms, ImportKeyMaterialRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;
        var (expiration, validTo) = Expiration(r);
        var now = kms.Time.GetUtcNow();
        var token = ImportToken.Open(kms.Seal, key.Arn, r.ImportToken!, now);
        if (!token.IsSuccess)
        {
            return token.Error.Value;
        }

        byte[]? unwrapped;
        try
        {
            caller.Facts.WrappingAlgorithm = ImportWireNames.Of(token.Value.Algorithm);
            caller.Facts.WrappingKeySpec = "RSA_" + token.Value.WrappingKeyBits.ToString(CultureInfo.InvariantCulture);
            unwrapped = KeyWrapping.Unwrap(token.Value.Algorithm, token.Value.WrappingPrivateKey, r.EncryptedKeyMaterial!);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(token.Value.WrappingPrivateKey);
        }

        if (unwrapped is null)
        {
            return Errors.InvalidCiphertext();
        }

        Result<byte[]> normalized;
        try
        {
            normalized = ImportedMaterial.Normalize(key.Spec, unwrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(unwrapped);
        }

        if (!normalized.IsSuccess)
        {
            return normalized.Error.Value;
        }

        var material = normalized.Value;
        try
        {
            var input = new ImportInput(
                ImportedMaterial.IdOf(key.Id, material),
                r.ImportType is null ? null : r.ImportType == "NEW_KEY_MATERIAL",
                r.KeyMaterialId,
                r.KeyMaterialDescription,
                expiration,
                validTo);
            var replica = await MultiRegionKeys.PlaceReplicaImportAsync(kms, key, input.MaterialId, ct);
            if (!replica.IsSuccess)
            {
                return replica.Error.Value;
            }

            var seal = kms.Seal;
            var changed = await kms.Keys.UpdateMaterialsAsync(
                key,
                (current, versions) => Import(seal, current, versions, input, material, now, replica.Value),
                ct);
            if (!changed.IsSuccess)
            {
                return changed.Error.Value;
            }

            caller.ResourceKey = changed.Value.Key;
            return new ImportKeyMaterialResponse(key.Arn, input.MaterialId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    /// <summary>Plans, seals and settles one import; shared with seeding.</summary>
    internal static Result<MaterialChange> Import(ISeal seal, KeyRecord key, IReadOnlyList<KeyMaterialRecord> versions, ImportInput input, byte[] material, DateTimeOffset now, ReplicaImport? replica = null)
    {
        if (ImportRules.CheckImportable(key) is { } error)
        {
            return error;
        }

        var plan = replica is { } place
            ? ImportRules.PlanReplicaImport(key, versions, input.MaterialId, place.Version, place.PrimaryCurrentVersion)
            : ImportRules.PlanImport(key, versions, input);
        if (!plan.IsSuccess)
        {
            return plan.Error.Value;
        }

        var record = ImportRules.Imported(plan.Value, input, MaterialProtector.Protect(seal, key.Arn, plan.Value.Version, material), now);
        var after = versions.Where(m => m.Version != record.Version).Append(record).ToList();
        return new MaterialChange(ImportRules.Settle(plan.Value.Key, after), [record], [], input.MaterialId);
    }
}
