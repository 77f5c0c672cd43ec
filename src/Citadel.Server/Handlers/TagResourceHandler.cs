using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;
using Citadel.Storage;

namespace Citadel.Server.Handlers;

/// <summary>TagResource: adds tags, or replaces the value of tags with the same key.</summary>
internal static class TagResourceHandler
{
    public static void Facts(RequestFacts facts, TagResourceRequest r) => facts.RequestTags = Steps.ToTags(r.Tags);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, TagResourceRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        var existing = await ctx.Kms.Catalog.ListTagsAsync(key.Id, ctx.Aborted);
        var newKeys = r.Tags!.Select(t => t.TagKey).ToHashSet(StringComparer.Ordinal);
        var kept = existing.Count(t => !newKeys.Contains(t.Key));
        if (Steps.CheckTags(r.Tags, kept, ctx.Kms.Options.MaxTagsPerKey) is { } tagError)
        {
            return tagError;
        }

        var outcome = await ctx.Kms.Keys.ChangeTagsAsync(key.Id, Steps.ToTags(r.Tags), [], ctx.Aborted);
        return outcome == StoreOutcome.Success ? null : Errors.KeyNotFound(key.Arn);
    }
}
