using System.Text.Json;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol.Responses;

/// <summary>The RotationsListEntry members that only symmetric keys with origin EXTERNAL have (KMS model, in its order).</summary>
internal static class ImportedMaterialFields
{
    /// <summary>KeyMaterialDescription and ImportState.</summary>
    public static void WriteBeforeState(Utf8JsonWriter json, KeyRecord key, KeyMaterialRecord material)
    {
        if (key.Origin != KeyOrigin.External)
        {
            return;
        }

        if (material.Description is { } description)
        {
            json.WriteString("KeyMaterialDescription"u8, description);
        }

        json.WriteString("ImportState"u8, ImportWireNames.Of(material.ImportState ?? MaterialImportState.Imported));
    }

    /// <summary>ExpirationModel and ValidTo, while the material is imported.</summary>
    public static void WriteAfterState(Utf8JsonWriter json, KeyRecord key, KeyMaterialRecord material)
    {
        if (key.Origin != KeyOrigin.External || material.ExpirationModel is not { } model)
        {
            return;
        }

        json.WriteString("ExpirationModel"u8, ImportWireNames.Of(model));
        if (material.ValidTo is { } validTo)
        {
            json.WriteEpochSeconds("ValidTo"u8, validTo);
        }
    }
}
