using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>ListResourceTags: the key's tags, paged by tag key.</summary>
internal static class ListResourceTagsHandler
{
    public static async ValueTask<Result<ListResourceTagsResponse>> ListResourceTagsAsync(KmsRuntime kms, ListResourceTagsRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        var after = Steps.DecodeMarker(r.Marker, _ => true);
        if (!after.IsSuccess)
        {
            return after.Error.Value;
        }

        var tags = await kms.Catalog.ListTagsAsync(key.Id, ct);
        // AWS: Limit 1–50, default 50 (ListResourceTags API reference); larger values are capped.
        var limit = Math.Min(r.Limit ?? 50, 50);
        var page = tags.Where(t => after.Value is null || string.CompareOrdinal(t.Key, after.Value) > 0).Take(limit + 1).ToList();
        var truncated = page.Count > limit;
        if (truncated)
        {
            page.RemoveAt(page.Count - 1);
        }

        return new ListResourceTagsResponse(page, Steps.EncodeMarker(truncated ? page[^1].Key : null));
    }
}
