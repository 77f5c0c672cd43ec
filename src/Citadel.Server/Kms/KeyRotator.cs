using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Server.Kms;

/// <summary>
/// Rotates a key: new material, sealed under the root key for the next version, and the key's
/// current version moved to it — in one store transaction, so a crash leaves either the old key
/// or the rotated one, never half of each.
/// </summary>
internal static class KeyRotator
{
    /// <summary>Rotates the key; the replicas of a multi-Region primary key follow (<see cref="MultiRegionKeys.SyncReplicasAsync"/>).</summary>
    public static async Task<Result<KeyRecord>> RotateAsync(KmsRuntime kms, KeyRecord key, bool automatic, CancellationToken ct)
    {
        var rotated = await RotateOneAsync(kms, key, automatic, ct);
        if (rotated.IsSuccess)
        {
            await MultiRegionKeys.SyncReplicasAsync(kms, rotated.Value, ct);
        }

        return rotated;
    }

    private static Task<Result<KeyRecord>> RotateOneAsync(KmsRuntime kms, KeyRecord key, bool automatic, CancellationToken ct)
    {
        var now = kms.Time.GetUtcNow();
        return kms.Keys.UpdateAsync(
            key,
            current => KeyRotationRules.CheckRotatable(current, byService: automatic) is { } error
                ? error
                : automatic && !KeyRotationRules.IsDue(current, now)
                    ? current
                    : KeyRotationRules.Rotate(current, MaterialProtector.NewMaterialId(), automatic, now),
            rotated => NewMaterial(kms, rotated, automatic, now),
            ct);
    }

    private static KeyMaterialRecord NewMaterial(KmsRuntime kms, KeyRecord rotated, bool automatic, DateTimeOffset now)
    {
        var material = RandomNumberGenerator.GetBytes(32);
        try
        {
            return new KeyMaterialRecord(
                rotated.Id,
                rotated.CurrentMaterialVersion,
                rotated.CurrentKeyMaterialId,
                MaterialProtector.Protect(kms.Seal, rotated.Arn, rotated.CurrentMaterialVersion, material),
                now,
                automatic ? MaterialOrigin.AutomaticRotation : MaterialOrigin.OnDemandRotation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
