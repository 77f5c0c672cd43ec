using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto;
using Citadel.Core.CustomKeyStores;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>CreateKey: a new customer managed key with fresh material, its policy and tags, in one transaction.</summary>
internal static class CreateKeyHandler
{
    private static KeySpec Spec(CreateKeyRequest r)
    {
        _ = WireNames.TryParse(r.KeySpec ?? r.CustomerMasterKeySpec ?? "SYMMETRIC_DEFAULT", out KeySpec spec);
        return spec;
    }

    private static KeyUsage? RequestedUsage(CreateKeyRequest r)
    {
        if (r.KeyUsage is null)
        {
            return null;
        }

        _ = WireNames.TryParse(r.KeyUsage, out KeyUsage parsed);
        return parsed;
    }

    private static KeyOrigin Origin(CreateKeyRequest r)
    {
        var origin = KeyOrigin.AwsKms;
        if (r.Origin is not null)
        {
            _ = WireNames.TryParse(r.Origin, out origin);
        }

        return origin;
    }

    public static void Facts(RequestFacts facts, CreateKeyRequest r)
    {
        facts.KeySpecRequested = WireNames.Of(Spec(r));
        facts.KeyUsageRequested = WireNames.Of(RequestedUsage(r) ?? KeySpecRules.DefaultUsage);
        facts.KeyOriginRequested = WireNames.Of(Origin(r));
        facts.RequestTags = Steps.ToTags(r.Tags);
        facts.BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck ?? false;
    }

    public static KmsError? Admit(Caller caller, CreateKeyRequest r)
    {
        if (r.KeySpec is not null && r.CustomerMasterKeySpec is not null)
        {
            return Errors.Validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated; use KeySpec.");
        }

        var spec = Spec(r);
        if (KeySpecRules.CheckCreate(spec, RequestedUsage(r)) is { } invalidUsage)
        {
            return invalidUsage;
        }

        if (spec == KeySpec.Sm2)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, "KeySpec SM2 is not supported by this server. SM2 is available only in AWS China Regions, and this server has no SM2 implementation it trusts.");
        }

        var origin = Origin(r);
        if (ExternalStoreKeys.Admit(origin, r.CustomKeyStoreId, r.XksKeyId, spec, RequestedUsage(r), r.MultiRegion == true) is { } custom)
        {
            return custom;
        }

        if (r.Origin is not null && origin != KeyOrigin.ExternalKeyStore)
        {
            if (origin == KeyOrigin.External && !Core.Crypto.Import.ImportedMaterial.IsImportable(spec))
            {
                return new KmsError(KmsErrorCode.UnsupportedOperation, $"Importing key material for key spec {WireNames.Of(spec)} is not supported by this server.");
            }

            if (origin is not (KeyOrigin.AwsKms or KeyOrigin.External))
            {
                return new KmsError(KmsErrorCode.UnsupportedOperation, $"Origin {r.Origin} is not supported by this server; use AWS_KMS or EXTERNAL.");
            }
        }

        // The count against Kms:MaxTagsPerKey is the service's (it needs the options).
        return Steps.CheckTags(r.Tags, 0, int.MaxValue);
    }

    public static async ValueTask<Result<KeyMetadataResponse>> CreateKeyAsync(KmsRuntime kms, CreateKeyRequest r, Caller caller, KeyRecord? none, CancellationToken ct)
    {
        if (Steps.CheckTags(r.Tags, 0, kms.Options.MaxTagsPerKey) is { } tooMany)
        {
            return tooMany;
        }

        var spec = Spec(r);
        var usage = RequestedUsage(r) ?? KeySpecRules.DefaultUsage;
        var origin = Origin(r);
        var keyId = r.MultiRegion == true ? KeyId.NewMultiRegion(caller.Region) : KeyId.New();
        var keyArn = Arns.Key(caller.Region, caller.Principal.AccountId, keyId);
        if (r.Policy is not null && await KeyPolicies.CheckAsync(kms, caller, r.Policy, r.BypassPolicyLockoutSafetyCheck == true, keyArn, caller.Principal.AccountId, ct) is { } invalidPolicy)
        {
            return invalidPolicy;
        }

        // EXTERNAL keys start PendingImport, with no material until ImportKeyMaterial.
        var external = origin == KeyOrigin.External;
        var now = kms.Time.GetUtcNow();
        var key = new KeyRecord
        {
            Id = keyId,
            AccountId = caller.Principal.AccountId,
            Region = caller.Region,
            CreatedAt = now,
            State = external ? KeyState.PendingImport : KeyState.Enabled,
            Description = r.Description ?? "",
            Spec = spec,
            Usage = usage,
            Origin = origin,
            Manager = KeyManager.Customer,
            Policy = r.Policy ?? DefaultKeyPolicy.For(caller.Principal.AccountId),
            CurrentMaterialVersion = external ? 0 : 1,
            CurrentKeyMaterialId = external ? "" : MaterialProtector.NewMaterialId(),
            PrimaryRegion = keyId.IsMultiRegion ? caller.Region : null,
        };

        var materialRecord = external ? null : NewMaterial(kms, key, now);

        XksKeyBinding? binding = null;
        if (origin == KeyOrigin.ExternalKeyStore)
        {
            var created = await ExternalStoreKeys.CreateAsync(kms, caller, r.CustomKeyStoreId!, r.XksKeyId!, key, materialRecord!, Steps.ToTags(r.Tags), ct);
            if (!created.IsSuccess)
            {
                return created.Error.Value;
            }

            binding = created.Value;
        }
        else if (await kms.Keys.CreateAsync(key, materialRecord, Steps.ToTags(r.Tags), ct) != StoreOutcome.Success)
        {
            return new KmsError(KmsErrorCode.Internal, "The key could not be created. Try again.");
        }

        caller.ResourceKey = key;
        return new KeyMetadataResponse(key, Binding: binding);
    }

    private static KeyMaterialRecord NewMaterial(KmsRuntime kms, KeyRecord key, DateTimeOffset now)
    {
        var material = KeyMaterials.Generate(key.Spec);
        try
        {
            return new KeyMaterialRecord(
                key.Id,
                1,
                key.CurrentKeyMaterialId,
                MaterialProtector.Protect(kms.Seal, key.Arn, 1, material),
                now,
                MaterialOrigin.Created);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
