using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>ListKeyRotations' response: a page of the key's material versions and the marker of the next.</summary>
internal readonly record struct ListKeyRotationsResponse(KeyRecord Key, IReadOnlyList<KeyMaterialRecord> Materials, string? NextMarker) : IResponse
{
    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteStartArray("Rotations"u8);
        foreach (var material in Materials)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, Key.Id.ToString());
            json.WriteString("KeyMaterialId"u8, material.MaterialId);
            ImportedMaterialFields.WriteBeforeState(json, Key, material);
            json.WriteString("KeyMaterialState"u8, ImportRules.MaterialState(Key, material));
            ImportedMaterialFields.WriteAfterState(json, Key, material);
            if (material.Origin != MaterialOrigin.Created && material.Version <= Key.CurrentMaterialVersion)
            {
                json.WriteEpochSeconds("RotationDate"u8, material.RotatedAt ?? material.CreatedAt);
                json.WriteString("RotationType"u8, material.Origin == MaterialOrigin.AutomaticRotation ? "AUTOMATIC"u8 : "ON_DEMAND"u8);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        Paging.Write(json, NextMarker);
        json.WriteEndObject();
    }
}
