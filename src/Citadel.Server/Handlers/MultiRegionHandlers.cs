using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// ReplicateKey and UpdatePrimaryRegion. The server makes only single-Region keys, so after resolving the key (key id or
/// key ARN) and authorizing the action on it, each answers as AWS does for a single-Region key: UnsupportedOperationException.
/// </summary>
internal static class MultiRegionHandlers
{
    public static ValueTask<KmsError?> HandleAsync(RequestContext ctx, MultiRegionRequest r, KeyRecord? key) =>
        ValueTask.FromResult<KmsError?>(new KmsError(KmsErrorCode.UnsupportedOperation, $"{key!.Arn} is not a multi-Region key."));
}
