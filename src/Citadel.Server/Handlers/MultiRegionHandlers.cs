using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// ReplicateKey and UpdatePrimaryRegion (<see cref="MultiRegionKeys"/> does the work). The pipeline has resolved the key
/// (key id or key ARN, in the Region of the request) and authorized the operation on it; what AWS authorizes in the other
/// Region is authorized here: kms:CreateKey (and kms:TagResource for tags) by identity policies in the replica Region,
/// kms:UpdatePrimaryRegion by the key policy of the replica that becomes primary.
/// </summary>
internal static class MultiRegionHandlers
{
    public static async ValueTask<KmsError?> ReplicateAsync(RequestContext ctx, MultiRegionRequest r, KeyRecord? resolved)
    {
        var primary = resolved!;
        var region = r.ReplicaRegion!;
        if ((MultiRegionKeys.CheckReplicable(primary, region) ?? KeyStateRules.CheckManageable(primary)) is { } refused)
        {
            return refused;
        }

        var account = primary.AccountId;
        var replicaArn = MultiRegionKeys.ReplicaArn(primary, region);
        var bypass = r.BypassPolicyLockoutSafetyCheck == true;
        var tags = Steps.ToTags(r.Tags);
        var requestRegion = ctx.Facts.Region;
        ctx.Facts.Region = region;
        ctx.Facts.RequestTags = tags;
        ctx.Facts.BypassPolicyLockoutSafetyCheck = bypass;
        try
        {
            var authorizer = ctx.Kms.Authorizer;
            var denied = await authorizer.AuthorizeIdentityAsync(ctx, "kms:CreateKey", replicaArn);
            if (denied is null && tags.Count > 0)
            {
                denied = await authorizer.AuthorizeIdentityAsync(ctx, "kms:TagResource", replicaArn);
            }

            if (denied is not null)
            {
                return denied;
            }

            if (Steps.CheckTags(r.Tags, 0, ctx.Kms.Options.MaxTagsPerKey) is { } invalidTags)
            {
                return invalidTags;
            }

            if (r.Policy is not null && await KeyPolicies.CheckAsync(ctx, r.Policy, bypass, replicaArn, account) is { } invalidPolicy)
            {
                return invalidPolicy;
            }
        }
        finally
        {
            ctx.Facts.Region = requestRegion;
        }

        var spec = new ReplicaSpec(primary, region, r.Policy ?? DefaultKeyPolicy.For(account), r.Description ?? "", tags, ctx.Kms.Time.GetUtcNow());
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

    public static async ValueTask<KmsError?> UpdatePrimaryRegionAsync(RequestContext ctx, MultiRegionRequest r, KeyRecord? resolved)
    {
        var primary = resolved!;
        var region = r.PrimaryRegion!;
        if (!primary.IsMultiRegion)
        {
            return MultiRegionKeys.NotMultiRegion(primary);
        }

        if (region != primary.Region)
        {
            // The replica that becomes primary must allow it too, in its own key policy (and Region).
            var replica = await ctx.Kms.Keys.GetAsync(primary.Id.InRegion(region), ctx.Aborted);
            if (replica is null || replica.AccountId != primary.AccountId)
            {
                return Errors.KeyNotFound(MultiRegionKeys.ReplicaArn(primary, region));
            }

            var requestRegion = ctx.Facts.Region;
            ctx.Facts.Region = region;
            try
            {
                if (await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx, replica, "kms:UpdatePrimaryRegion") is { } denied)
                {
                    return denied;
                }
            }
            finally
            {
                ctx.Facts.Region = requestRegion;
                ctx.Facts.Key = primary;
            }
        }

        var updated = await MultiRegionKeys.UpdatePrimaryRegionAsync(ctx.Kms, primary, region, ctx.Kms.Time.GetUtcNow(), ctx.Aborted);
        if (!updated.IsSuccess)
        {
            return updated.Error;
        }

        ctx.ResourceKey = updated.Value;
        return null;
    }
}
