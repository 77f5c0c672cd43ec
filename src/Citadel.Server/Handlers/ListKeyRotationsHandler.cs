using System.Globalization;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// ListKeyRotations: the completed rotations of a key, oldest first, with their material ids.
/// With IncludeKeyMaterial ALL_KEY_MATERIAL the original material is listed too.
/// </summary>
internal static class ListKeyRotationsHandler
{
    public static KmsError? Check(Caller caller, ListKeyRotationsRequest r, KeyRecord? key) => Steps.CheckRotatableSpec(key!);

    public static async ValueTask<Result<ListKeyRotationsResponse>> ListKeyRotationsAsync(KmsRuntime kms, ListKeyRotationsRequest r, Caller caller, KeyRecord? resolved, CancellationToken ct)
    {
        var key = resolved!;

        var after = Steps.DecodeMarker(r.Marker, text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (!after.IsSuccess)
        {
            return after.Error.Value;
        }

        var afterVersion = after.Value is null ? 0 : int.Parse(after.Value, CultureInfo.InvariantCulture);
        var includeAll = r.IncludeKeyMaterial == "ALL_KEY_MATERIAL";
        var limit = r.Limit ?? 100;
        var materials = (await kms.Catalog.ListMaterialsAsync(key.Id, ct))
            .Where(m => m.Version > afterVersion && (includeAll || (m.Origin != MaterialOrigin.Created && m.Version <= key.CurrentMaterialVersion)))
            .Take(limit + 1)
            .ToList();
        var truncated = materials.Count > limit;
        if (truncated)
        {
            materials.RemoveAt(materials.Count - 1);
        }

        return new ListKeyRotationsResponse(key, materials, Steps.EncodeMarker(truncated ? materials[^1].Version.ToString(CultureInfo.InvariantCulture) : null));
    }
}
