using System.Text.Json;
using Citadel.Core.CustomKeyStores;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>The response of CreateKey and DescribeKey: the key's KeyMetadata (with its imported material's expiration and its external key store binding, if any).</summary>
internal readonly record struct KeyMetadataResponse(KeyRecord Key, ExpirationModel? ExpirationModel = null, DateTimeOffset? ValidTo = null, XksKeyBinding? Binding = null) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        KeyMetadataWriter.WriteResponse(json, Key, ExpirationModel, ValidTo, Binding);
    }
}
