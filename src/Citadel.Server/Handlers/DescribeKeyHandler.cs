using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>DescribeKey: the key's metadata, in any state.</summary>
internal static class DescribeKeyHandler
{
    public static async ValueTask<Result<KeyMetadataResponse>> DescribeKeyAsync(KmsRuntime kms, DescribeKeyRequest r, Caller caller, KeyRecord? described, CancellationToken ct)
    {
        var key = described!;
        var expiration = key.Origin == Core.Keys.KeyOrigin.External
            ? Core.Keys.ImportRules.Expiration(key, await kms.Catalog.ListMaterialsAsync(key.Id, ct))
            : default;
        var binding = await kms.CustomKeyStores.BindingAsync(key, ct);
        return new KeyMetadataResponse(key, expiration.Model, expiration.ValidTo, binding);
    }
}
