using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// ReplicateKey and UpdatePrimaryRegion (<see cref="MultiRegionKeys"/> does the work). The pipeline resolves the key (key
/// id or key ARN, in the Region of the request), authorizes the operation on it, and what AWS authorizes in the other
/// Region (API reference, "Required permissions"): for ReplicateKey, kms:CreateKey (and kms:TagResource with tags) by
/// identity policies in the replica Region (<see cref="ReplicaRegionActions"/>); for UpdatePrimaryRegion,
/// kms:UpdatePrimaryRegion by the key policy of the replica that becomes primary (<see cref="KeyLocators.NewPrimaryAsync"/>).
/// </summary>
internal static class MultiRegionHandlers
{
    public static void ReplicateFacts(RequestFacts facts, MultiRegionRequest r)
    {
        facts.RequestTags = Steps.ToTags(r.Tags);
        facts.BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck ?? false;
    }

    public static KmsError? CheckReplicable(Caller caller, MultiRegionRequest r, KeyRecord? key) => MultiRegionKeys.CheckReplicable(key!, r.ReplicaRegion!);

    public static IReadOnlyList<RegionalAction> ReplicaRegionActions(Caller caller, MultiRegionRequest r, KeyRecord primary)
    {
        var replicaArn = MultiRegionKeys.ReplicaArn(primary, r.ReplicaRegion!);
        // The replica is made in the primary's account: a caller of another account may not create keys there.
        var createKey = new RegionalAction("kms:CreateKey", replicaArn, primary.AccountId, r.ReplicaRegion!);
        return r.Tags is { Count: > 0 } ? [createKey, createKey with { Action = "kms:TagResource" }] : [createKey];
    }

    public static async ValueTask<Result<ReplicateKeyResponse>> ReplicateKeyAsync(KmsRuntime kms, MultiRegionRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var primary = resolved!;
        var account = primary.AccountId;
        var replicaArn = MultiRegionKeys.ReplicaArn(primary, r.ReplicaRegion!);
        if (Steps.CheckTags(r.Tags, 0, kms.Options.MaxTagsPerKey) is { } invalidTags)
        {
            return invalidTags;
        }

        if (r.Policy is not null && await KeyPolicies.CheckAsync(kms, caller, r.Policy, r.BypassPolicyLockoutSafetyCheck == true, replicaArn, account, ct) is { } invalidPolicy)
        {
            return invalidPolicy;
        }

        var tags = Steps.ToTags(r.Tags);
        var spec = new ReplicaSpec(primary, r.ReplicaRegion!, r.Policy ?? DefaultKeyPolicy.For(account), r.Description ?? "", tags, kms.Time.GetUtcNow());
        var replica = await MultiRegionKeys.ReplicateAsync(kms, spec, ct);
        return replica.IsSuccess ? new ReplicateKeyResponse(replica.Value, tags) : replica.Error.Value;
    }

    /// <summary>A multi-Region key of the caller's account: UpdatePrimaryRegion is not a cross-account operation, whatever the key policies allow.</summary>
    public static KmsError? CheckMultiRegion(Caller caller, MultiRegionRequest r, KeyRecord? key) =>
        key!.AccountId != caller.Principal.AccountId
            ? new KmsError(KmsErrorCode.AccessDenied, $"{caller.Principal.Arn} is not authorized to perform kms:UpdatePrimaryRegion on {key.Arn}: UpdatePrimaryRegion cannot be used across accounts.")
            : key.IsMultiRegion ? null : MultiRegionKeys.NotMultiRegion(key);

    public static async ValueTask<Result<EmptyResponse>> UpdatePrimaryRegionAsync(KmsRuntime kms, MultiRegionRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var updated = await MultiRegionKeys.UpdatePrimaryRegionAsync(kms, resolved!, r.PrimaryRegion!, kms.Time.GetUtcNow(), ct);
        if (!updated.IsSuccess)
        {
            return updated.Error.Value;
        }

        caller.ResourceKey = updated.Value;
        return EmptyResponse.Instance;
    }
}
