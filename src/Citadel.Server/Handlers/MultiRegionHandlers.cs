using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// ReplicateKey and UpdatePrimaryRegion (<see cref="MultiRegionKeys"/> does the work). The pipeline resolves the key (key
/// id or key ARN, in the Region of the request), authorizes the operation on it, and what AWS authorizes in the other
/// Region (API reference, "Required permissions"): for ReplicateKey, kms:CreateKey (and kms:TagResource with tags) by
/// identity policies in the replica Region (<see cref="ReplicaRegionActions"/>); for UpdatePrimaryRegion,
/// kms:UpdatePrimaryRegion by the key policy of the replica that becomes primary (<see cref="NewPrimaryAsync"/>).
/// </summary>
internal static class MultiRegionHandlers
{
    public static void ReplicateFacts(RequestFacts facts, MultiRegionRequest r)
    {
        facts.RequestTags = Steps.ToTags(r.Tags);
        facts.BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck ?? false;
    }

    public static KmsError? CheckReplicable(RequestContext ctx, MultiRegionRequest r, KeyRecord? key) => MultiRegionKeys.CheckReplicable(key!, r.ReplicaRegion!);

    public static IReadOnlyList<RegionalAction> ReplicaRegionActions(RequestContext ctx, MultiRegionRequest r, KeyRecord primary)
    {
        var replicaArn = MultiRegionKeys.ReplicaArn(primary, r.ReplicaRegion!);
        // The replica is made in the primary's account: a caller of another account may not create keys there.
        var createKey = new RegionalAction("kms:CreateKey", replicaArn, primary.AccountId, r.ReplicaRegion!);
        return r.Tags is { Count: > 0 } ? [createKey, createKey with { Action = "kms:TagResource" }] : [createKey];
    }

    public static async ValueTask<KmsError?> ReplicateAsync(RequestContext ctx, MultiRegionRequest r, KeyRecord? resolved)
    {
        var primary = resolved!;
        var account = primary.AccountId;
        var replicaArn = MultiRegionKeys.ReplicaArn(primary, r.ReplicaRegion!);
        if (Steps.CheckTags(r.Tags, 0, ctx.Kms.Options.MaxTagsPerKey) is { } invalidTags)
        {
            return invalidTags;
        }

        if (r.Policy is not null && await KeyPolicies.CheckAsync(ctx, r.Policy, r.BypassPolicyLockoutSafetyCheck == true, replicaArn, account) is { } invalidPolicy)
        {
            return invalidPolicy;
        }

        var tags = Steps.ToTags(r.Tags);
        var spec = new ReplicaSpec(primary, r.ReplicaRegion!, r.Policy ?? DefaultKeyPolicy.For(account), r.Description ?? "", tags, ctx.Kms.Time.GetUtcNow());
        var replica = await MultiRegionKeys.ReplicateAsync(ctx.Kms, spec, ctx.Aborted);
        if (!replica.IsSuccess)
        {
            return replica.Error;
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WritePropertyName("ReplicaKeyMetadata"u8);
        KeyMetadataWriter.Write(json, replica.Value);
        json.WriteString("ReplicaPolicy"u8, replica.Value.Policy);
        json.WriteStartArray("ReplicaTags"u8);
        foreach (var tag in tags)
        {
            json.WriteStartObject();
            json.WriteString("TagKey"u8, tag.Key);
            json.WriteString("TagValue"u8, tag.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        return null;
    }

    /// <summary>A multi-Region key of the caller's account: UpdatePrimaryRegion is not a cross-account operation, whatever the key policies allow.</summary>
    public static KmsError? CheckMultiRegion(RequestContext ctx, MultiRegionRequest r, KeyRecord? key) =>
        key!.AccountId != ctx.Principal.AccountId
            ? new KmsError(KmsErrorCode.AccessDenied, $"{ctx.Principal.Arn} is not authorized to perform kms:UpdatePrimaryRegion on {key.Arn}: UpdatePrimaryRegion cannot be used across accounts.")
            : key.IsMultiRegion ? null : MultiRegionKeys.NotMultiRegion(key);

    /// <summary>The key of the set in PrimaryRegion, which must allow the change too; none when that is the key's own Region.</summary>
    public static async ValueTask<Result<KeyRecord?>> NewPrimaryAsync(RequestContext ctx, MultiRegionRequest r)
    {
        var current = ctx.ResourceKey!;
        var region = r.PrimaryRegion!;
        if (region == current.Region)
        {
            return null;
        }

        var replica = await ctx.Kms.Keys.GetAsync(current.Id.InRegion(region), ctx.Aborted);
        return replica is null || replica.AccountId != current.AccountId ? Errors.KeyNotFound(MultiRegionKeys.ReplicaArn(current, region)) : replica;
    }

    public static async ValueTask<KmsError?> UpdatePrimaryRegionAsync(RequestContext ctx, MultiRegionRequest r, KeyRecord? resolved)
    {
        var updated = await MultiRegionKeys.UpdatePrimaryRegionAsync(ctx.Kms, resolved!, r.PrimaryRegion!, ctx.Kms.Time.GetUtcNow(), ctx.Aborted);
        if (!updated.IsSuccess)
        {
            return updated.Error;
        }

        ctx.ResourceKey = updated.Value;
        return null;
    }
}
