namespace Citadel.Core.Keys;

/// <summary>
/// One version of a key's material, encrypted under the root key and bound to the key ARN and
/// version as associated data (see <see cref="Crypto.MaterialProtector"/>). Never plaintext at rest.
/// </summary>
public sealed record KeyMaterialRecord(
    KeyId KeyId,
    int Version,
    string MaterialId,
    byte[] EncryptedMaterial,
    DateTimeOffset CreatedAt,
    MaterialOrigin Origin);
