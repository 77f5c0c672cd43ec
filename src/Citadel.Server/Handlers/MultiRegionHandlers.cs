using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// ReplicateKey and UpdatePrimaryRegion. The server makes only single-Region keys, so after resolving the key (key id or
/// key ARN) and authorizing the action on it, each answers as AWS does for a single-Region key: UnsupportedOperationException.
/// </summary>
internal static class MultiRegionHandlers
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, MultiRegionRequest r)
    {
        var key = await Steps.ResolveAsync(ctx, r.KeyId!, allowAlias: false);
        return key.IsSuccess
            ? new KmsError(KmsErrorCode.UnsupportedOperation, $"{key.Value.Arn} is not a multi-Region key.")
            : key.Error;
    }
}
