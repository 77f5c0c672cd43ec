using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
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

    public static KmsError? Admit(RequestContext ctx, CreateKeyRequest r)
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

        if (r.CustomKeyStoreId is not null)
        {
            return new KmsError(KmsErrorCode.CustomKeyStoreNotFound, $"Custom key store {r.CustomKeyStoreId} does not exist. Custom key stores are not supported by this server.");
        }

        var origin = Origin(r);
        if (r.Origin is not null)
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

        return Steps.CheckTags(r.Tags, 0, ctx.Kms.Options.MaxTagsPerKey);
    }

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, CreateKeyRequest r, KeyRecord? none)
    {
        var spec = Spec(r);
        var usage = RequestedUsage(r) ?? KeySpecRules.DefaultUsage;
        var origin = Origin(r);
        var keyId = r.MultiRegion == true ? KeyId.NewMultiRegion(ctx.Region) : KeyId.New();
        var keyArn = Arns.Key(ctx.Region, ctx.Principal.AccountId, keyId);
        if (r.Policy is not null && await KeyPolicies.CheckAsync(ctx, r.Policy, r.BypassPolicyLockoutSafetyCheck == true, keyArn, ctx.Principal.AccountId) is { } invalidPolicy)
        {
            return invalidPolicy;
        }

        // EXTERNAL keys start PendingImport, with no material until ImportKeyMaterial.
        var external = origin == KeyOrigin.External;
        var now = ctx.Kms.Time.GetUtcNow();
        var key = new KeyRecord
        {
            Id = keyId,
            AccountId = ctx.Principal.AccountId,
            Region = ctx.Region,
            CreatedAt = now,
            State = external ? KeyState.PendingImport : KeyState.Enabled,
            Description = r.Description ?? "",
            Spec = spec,
            Usage = usage,
            Origin = origin,
            Manager = KeyManager.Customer,
            Policy = r.Policy ?? DefaultKeyPolicy.For(ctx.Principal.AccountId),
            CurrentMaterialVersion = external ? 0 : 1,
            CurrentKeyMaterialId = external ? "" : MaterialProtector.NewMaterialId(),
            PrimaryRegion = keyId.IsMultiRegion ? ctx.Region : null,
        };

        var materialRecord = external ? null : NewMaterial(ctx, key, now);

        var outcome = await ctx.Kms.Keys.CreateAsync(key, materialRecord, Steps.ToTags(r.Tags), ctx.Aborted);
        if (outcome != StoreOutcome.Success)
        {
            return new KmsError(KmsErrorCode.Internal, "The key could not be created. Try again.");
        }

        ctx.ResourceKey = key;
        KeyMetadataWriter.WriteResponse(ctx.Json, key);
        return null;
    }

    private static KeyMaterialRecord NewMaterial(RequestContext ctx, KeyRecord key, DateTimeOffset now)
    {
        var material = KeyMaterials.Generate(key.Spec);
        try
        {
            return new KeyMaterialRecord(
                key.Id,
                1,
                key.CurrentKeyMaterialId,
                MaterialProtector.Protect(ctx.Kms.Seal, key.Arn, 1, material),
                now,
                MaterialOrigin.Created);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
