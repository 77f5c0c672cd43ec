using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol;

/// <summary>MultiRegionConfiguration of KeyMetadata (the KMS model's structure), from the Regions every key of a set carries.</summary>
internal static class MultiRegionConfigurationWriter
{
    public static void Write(Utf8JsonWriter json, KeyRecord key)
    {
        var primaryRegion = key.PrimaryRegion!;
        json.WriteStartObject("MultiRegionConfiguration"u8);
        json.WriteString("MultiRegionKeyType"u8, key.IsPrimary ? "PRIMARY"u8 : "REPLICA"u8);
        json.WritePropertyName("PrimaryKey"u8);
        WriteKey(json, key, primaryRegion);
        json.WriteStartArray("ReplicaKeys"u8);
        foreach (var region in key.ReplicaRegions)
        {
            WriteKey(json, key, region);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteKey(Utf8JsonWriter json, KeyRecord key, string region)
    {
        json.WriteStartObject();
        json.WriteString("Arn"u8, Arns.Key(region, key.AccountId, key.Id));
        json.WriteString("Region"u8, region);
        json.WriteEndObject();
    }
}
