using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>Keys with origin EXTERNAL: created without material (PendingImport), and their way out of PendingDeletion.</summary>
internal static class ExternalKeys
{
    public static async ValueTask<KmsError?> CreateAsync(RequestContext ctx, CreateKeyRequest r, KeyId keyId, KeySpec spec, KeyUsage usage, DateTimeOffset now)
    {
        var key = new KeyRecord
        {
            Id = keyId,
            AccountId = ctx.Principal.AccountId,
            Region = ctx.Region,
            CreatedAt = now,
            State = KeyState.PendingImport,
            Description = r.Description ?? "",
            Spec = spec,
            Usage = usage,
            Origin = KeyOrigin.External,
            Manager = KeyManager.Customer,
            Policy = r.Policy ?? DefaultKeyPolicy.For(ctx.Principal.AccountId),
            CurrentMaterialVersion = 0,
            CurrentKeyMaterialId = "",
        };

        var outcome = await ctx.Kms.Keys.CreateAsync(key, null, Steps.ToTags(r.Tags), ctx.Aborted);
        if (outcome != StoreOutcome.Success)
        {
            return new KmsError(KmsErrorCode.Internal, "The key could not be created. Try again.");
        }

        ctx.ResourceKey = key;
        KeyMetadataWriter.WriteResponse(ctx.Json, key);
        return null;
    }

    /// <summary>CancelKeyDeletion: Disabled, as for every key, or PendingImport when imported material is missing.</summary>
    public static async ValueTask<Result<KeyRecord>> CancelDeletionAsync(RequestContext ctx, KeyRecord key)
    {
        var changed = await ctx.Kms.Keys.UpdateMaterialsAsync(
            key,
            (current, versions) =>
            {
                var cancelled = KeyStateRules.CancelDeletion(current);
                return cancelled.IsSuccess
                    ? new MaterialChange(ImportRules.Settle(cancelled.Value, versions), [], [], "")
                    : cancelled.Error.Value;
            },
            ctx.Aborted);
        return changed.IsSuccess ? changed.Value.Key : changed.Error.Value;
    }
}
