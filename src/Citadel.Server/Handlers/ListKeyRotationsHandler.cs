using System.Globalization;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>
/// ListKeyRotations: the completed rotations of a key, oldest first, with their material ids.
/// With IncludeKeyMaterial ALL_KEY_MATERIAL the original material is listed too.
/// </summary>
internal static class ListKeyRotationsHandler
{
    public static KmsError? Check(Caller caller, ListKeyRotationsRequest r, KeyRecord? key) => Steps.CheckRotatableSpec(key!);

    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, ListKeyRotationsRequest r, KeyRecord? resolved)
    {
        var key = resolved!;

        var after = Steps.DecodeMarker(r.Marker, text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (!after.IsSuccess)
        {
            return after.Error;
        }

        var afterVersion = after.Value is null ? 0 : int.Parse(after.Value, CultureInfo.InvariantCulture);
        var includeAll = r.IncludeKeyMaterial == "ALL_KEY_MATERIAL";
        var limit = r.Limit ?? 100;
        var materials = (await ctx.Kms.Catalog.ListMaterialsAsync(key.Id, ctx.Aborted))
            .Where(m => m.Version > afterVersion && (includeAll || (m.Origin != MaterialOrigin.Created && m.Version <= key.CurrentMaterialVersion)))
            .Take(limit + 1)
            .ToList();
        var truncated = materials.Count > limit;
        if (truncated)
        {
            materials.RemoveAt(materials.Count - 1);
        }

        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteStartArray("Rotations"u8);
        foreach (var material in materials)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Id.ToString());
            json.WriteString("KeyMaterialId"u8, material.MaterialId);
            ImportedMaterialFields.WriteBeforeState(json, key, material);
            json.WriteString("KeyMaterialState"u8, ImportRules.MaterialState(key, material));
            ImportedMaterialFields.WriteAfterState(json, key, material);
            if (material.Origin != MaterialOrigin.Created && material.Version <= key.CurrentMaterialVersion)
            {
                json.WriteEpochSeconds("RotationDate"u8, material.RotatedAt ?? material.CreatedAt);
                json.WriteString("RotationType"u8, material.Origin == MaterialOrigin.AutomaticRotation ? "AUTOMATIC"u8 : "ON_DEMAND"u8);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        ListKeysHandler.WritePaging(json, truncated ? materials[^1].Version.ToString(CultureInfo.InvariantCulture) : null);
        json.WriteEndObject();
        return null;
    }
}
