using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>UntagResource: removes tags by key; keys that are not there are ignored, as at AWS.</summary>
internal static class UntagResourceHandler
{
    /// <summary>aws:TagKeys: the keys of the tags to remove (set before authorization, so a policy's condition on them holds).</summary>
    public static void Facts(RequestFacts facts, UntagResourceRequest r) => facts.RequestTags = r.TagKeys!.ConvertAll(k => new Tag(k, ""));

    public static async ValueTask<Result<EmptyResponse>> UntagResourceAsync(KmsRuntime kms, UntagResourceRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        var outcome = await kms.Keys.ChangeTagsAsync(key.Id, [], r.TagKeys!, ct);
        return EmptyResponse.Unless(outcome == StoreOutcome.Success ? null : Errors.KeyNotFound(key.Arn));
    }
}
