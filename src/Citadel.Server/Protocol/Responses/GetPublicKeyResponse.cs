using System.Text.Json;
using Citadel.Core;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>GetPublicKey's response: the key's public key, spec, usage and algorithms.</summary>
internal readonly record struct GetPublicKeyResponse(KeyRecord Key, byte[] PublicKey) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("KeyId"u8, Key.Arn);
        json.WriteBase64String("PublicKey"u8, PublicKey);
        json.WriteString("CustomerMasterKeySpec"u8, WireNames.Of(Key.Spec));
        json.WriteString("KeySpec"u8, WireNames.Of(Key.Spec));
        json.WriteString("KeyUsage"u8, WireNames.Of(Key.Usage));
        KeyMetadataWriter.WriteAlgorithms(json, Key);
        json.WriteEndObject();
    }
}
