using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>TagResource: adds tags, or replaces the value of tags with the same key.</summary>
internal static class TagResourceHandler
{
    public static void Facts(RequestFacts facts, TagResourceRequest r) => facts.RequestTags = Steps.ToTags(r.Tags);

    public static async ValueTask<Result<EmptyResponse>> TagResourceAsync(KmsRuntime kms, TagResourceRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        var existing = await kms.Catalog.ListTagsAsync(key.Id, ct);
        var newKeys = r.Tags!.Select(t => t.TagKey).ToHashSet(StringComparer.Ordinal);
        var kept = existing.Count(t => !newKeys.Contains(t.Key));
        if (Steps.CheckTags(r.Tags, kept, kms.Options.MaxTagsPerKey) is { } tagError)
        {
            return tagError;
        }

        var outcome = await kms.Keys.ChangeTagsAsync(key.Id, Steps.ToTags(r.Tags), [], ct);
        return EmptyResponse.Unless(outcome == StoreOutcome.Success ? null : Errors.KeyNotFound(key.Arn));
    }
}
