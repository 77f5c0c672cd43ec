using System.Text;

namespace Citadel.Core.Crypto;

/// <summary>
/// Seals key material under the root key, bound to its key ARN and version as associated data,
/// so material copied onto another key or version in the store fails to unseal.
/// </summary>
public static class MaterialProtector
{
    public static byte[] Protect(ISeal seal, string keyArn, int version, ReadOnlySpan<byte> material) =>
        seal.Seal(material, AssociatedData(keyArn, version));

    /// <summary>Returns the plaintext material; the caller owns it and zeroes it when done.</summary>
    public static byte[] Unprotect(ISeal seal, string keyArn, int version, ReadOnlySpan<byte> sealedMaterial) =>
        seal.Unseal(sealedMaterial, AssociatedData(keyArn, version));

    internal static byte[] AssociatedData(string keyArn, int version) =>
        Encoding.UTF8.GetBytes($"citadel/key-material/v1\n{keyArn}\n{version}");

    /// <summary>A fresh key-material id: 64 lower-case hex characters, as AWS's BackingKeyIdType.</summary>
    public static string NewMaterialId() =>
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
