using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Core.Grants;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>ListGrants: the grants of a key, oldest first, optionally one grant id or one grantee.</summary>
internal static class ListGrantsHandler
{
    public static async ValueTask<Result<ListGrantsResponse>> ListGrantsAsync(KmsRuntime kms, ListGrantsRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        if (r.GrantId is not null && !GrantTokens.IsGrantId(r.GrantId))
        {
            return new KmsError(KmsErrorCode.InvalidGrantId, $"Invalid grant ID {r.GrantId}");
        }

        var after = Steps.DecodeMarker(r.Marker, GrantTokens.IsGrantId);
        if (!after.IsSuccess)
        {
            return after.Error.Value;
        }

        var grants = await kms.Grants.ListAsync(key.Id, ct);
        var matching = grants
            .Where(g => (r.GrantId is null || g.GrantId == r.GrantId) && (r.GranteePrincipal is null || g.GranteePrincipal == r.GranteePrincipal))
            .ToList();
        var start = after.Value is null ? 0 : matching.FindIndex(g => g.GrantId == after.Value) + 1;

        // AWS: Limit 1–100, default 50 (ListGrants API reference); larger values are capped.
        var limit = Math.Min(r.Limit ?? 50, 100);
        var page = matching.Skip(start).Take(limit).ToList();
        var truncated = start + page.Count < matching.Count;
        return new ListGrantsResponse(page, _ => key.Arn, Steps.EncodeMarker(truncated ? page[^1].GrantId : null));
    }
}
