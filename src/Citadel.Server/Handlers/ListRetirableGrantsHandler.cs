using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>ListRetirableGrants: grants in this region whose retiring principal is the given one.</summary>
internal static class ListRetirableGrantsHandler
{
    /// <summary>
    /// The authorized resource is the retiring principal, which must be of the caller's account
    /// (ListRetirableGrants API reference, "Cross-account use"); a service principal has no account.
    /// </summary>
    public static (string Resource, string? Account) Resource(Caller caller, ListRetirableGrantsRequest r)
    {
        var principal = r.RetiringPrincipal!;
        return (principal, principal.Split(':') is [_, _, _, _, { Length: 12 } owner, ..] ? owner : null);
    }

    public static async ValueTask<Result<ListGrantsResponse>> ListRetirableGrantsAsync(KmsRuntime kms, ListRetirableGrantsRequest r, Caller caller, KeyRecord? none, CancellationToken ct)
    {
        var after = Steps.DecodeMarker(r.Marker, GrantTokens.IsGrantId);
        if (!after.IsSuccess)
        {
            return after.Error.Value;
        }

        var grants = new List<(GrantRecord Grant, KeyRecord Key)>();
        foreach (var grant in await kms.Grants.ListByRetiringPrincipalAsync(r.RetiringPrincipal!, ct))
        {
            if (await kms.Keys.GetAsync(grant.KeyId, ct) is { } key && key.Region == caller.Region)
            {
                grants.Add((grant, key));
            }
        }

        var start = after.Value is null ? 0 : grants.FindIndex(g => g.Grant.GrantId == after.Value) + 1;
        var limit = Math.Min(r.Limit ?? 50, 100);
        var page = grants.Skip(start).Take(limit).ToList();
        var truncated = start + page.Count < grants.Count;
        var arns = page.ToDictionary(p => p.Grant.GrantId, p => p.Key.Arn);
        return new ListGrantsResponse(page.ConvertAll(p => p.Grant), g => arns[g.GrantId], Steps.EncodeMarker(truncated ? page[^1].Grant.GrantId : null));
    }
}
