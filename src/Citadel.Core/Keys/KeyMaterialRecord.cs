namespace Citadel.Core.Keys;

/// <summary>
/// One version of a key's material, encrypted under the root key and bound to the key ARN and
/// version as associated data (see <see cref="Crypto.MaterialProtector"/>). Never plaintext at rest.
/// Imported material (keys with origin EXTERNAL) also carries its import state; when it is deleted or
/// expires, <see cref="EncryptedMaterial"/> is empty and <see cref="ImportState"/> is PendingImport.
/// </summary>
public sealed record KeyMaterialRecord(
    KeyId KeyId,
    int Version,
    string MaterialId,
    byte[] EncryptedMaterial,
    DateTimeOffset CreatedAt,
    MaterialOrigin Origin)
{
    /// <summary>Null for material the service generated; Imported or PendingImport for imported material.</summary>
    public MaterialImportState? ImportState { get; init; }

    /// <summary>How the current import of this material expires; null when not imported.</summary>
    public ExpirationModel? ExpirationModel { get; init; }

    /// <summary>When the current import expires (KEY_MATERIAL_EXPIRES only).</summary>
    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>KeyMaterialDescription given at import, kept across re-imports that do not give one.</summary>
    public string? Description { get; init; }

    /// <summary>When imported material imported for rotation became current (RotateKeyOnDemand); generated material rotates when it is created.</summary>
    public DateTimeOffset? RotatedAt { get; init; }

    /// <summary>Whether the material can be used now: generated, or imported and not deleted or expired.</summary>
    public bool IsPresent => ImportState is null or MaterialImportState.Imported;
}
