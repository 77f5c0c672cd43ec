using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>ListResourceTags: the key's tags, paged by tag key.</summary>
internal static class ListResourceTagsHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListResourceTagsRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        var after = Steps.DecodeMarker(r.Marker, _ => true);
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var tags = await ctx.Kms.Catalog.ListTagsAsync(key.Id, ctx.Aborted);
        // AWS: Limit 1–50, default 50 (ListResourceTags API reference); larger values are capped.
        var limit = Math.Min(r.Limit ?? 50, 50);
        var page = tags.Where(t => after.Value is null || string.CompareOrdinal(t.Key, after.Value) > 0).Take(limit + 1).ToList();
        var truncated = page.Count > limit;
        if (truncated)
        {
            page.RemoveAt(page.Count - 1);
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("Tags"u8);
        foreach (var tag in page)
        {
            json.WriteStartObject();
            json.WriteString("TagKey"u8, tag.Key);
            json.WriteString("TagValue"u8, tag.Value);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        ListKeysHandler.WritePaging(json, truncated ? page[^1].Key : null);
        json.WriteEndObject();
        return null;
    }
}
