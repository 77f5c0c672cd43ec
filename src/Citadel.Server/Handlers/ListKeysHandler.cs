using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>ListKeys: the keys of the caller's account in the request's region, paged by key id.</summary>
internal static class ListKeysHandler
{
    public static async ValueTask<Result<ListKeysResponse>> ListKeysAsync(KmsRuntime kms, ListKeysRequest r, Caller caller, KeyRecord? none, CancellationToken ct)
    {
        var after = Steps.DecodeMarker(r.Marker, text => KeyId.TryParseStoreKey(text, out _));
        if (!after.IsSuccess)
        {
            return after.Error.Value;
        }

        var page = await kms.Catalog.ListKeysAsync(caller.Principal.AccountId, caller.Region, r.Limit ?? 100, after.Value, ct);
        return new ListKeysResponse(page.Items, Steps.EncodeMarker(page.NextMarker));
    }
}
