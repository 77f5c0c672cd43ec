using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Core.Crypto.Import;

/// <summary>
/// Key material that comes from outside (ImportKeyMaterial, seed files): what each key spec accepts,
/// the form it is stored in, and its key-material id.
/// </summary>
public static class ImportedMaterial
{
    /// <summary>
    /// The key-material id: HMAC-SHA256 keyed with the material over the key id, in lower-case hex. AWS
    /// derives the id "based on the KMS key ID and the imported key material" (ImportKeyMaterial API
    /// reference), so re-importing the same material gives the same id and other material another one;
    /// keyed with the secret, the id says nothing about it.
    /// </summary>
    public static string IdOf(KeyId keyId, ReadOnlySpan<byte> material)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(material, Encoding.UTF8.GetBytes($"citadel/key-material-id/v1\n{keyId}"), mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// Checks material against the key spec and returns it in stored form (the caller zeroes it):
    /// SYMMETRIC_DEFAULT 32 bytes; HMAC keys from the hash length up to the hash's block size; key
    /// pairs a PKCS#8 private key of the spec's algorithm and size, re-encoded so that equal keys
    /// have equal bytes (and so equal ids). Anything else is IncorrectKeyMaterialException.
    /// </summary>
    public static Result<byte[]> Normalize(KeySpec spec, ReadOnlySpan<byte> material)
    {
        if (spec == KeySpec.SymmetricDefault)
        {
            return material.Length == 32 ? material.ToArray() : Incorrect("Symmetric key material must be 256 bits (32 bytes).");
        }

        if (KeySpecRules.IsHmac(spec))
        {
            var (min, max) = HmacRange(spec);
            return material.Length >= min && material.Length <= max
                ? material.ToArray()
                : Incorrect($"{WireNames.Of(spec)} key material must be {min} to {max} bytes long.");
        }

        try
        {
            switch (spec)
            {
                case KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096:
                    using (var rsa = RSA.Create())
                    {
                        rsa.ImportPkcs8PrivateKey(material, out var read);
                        if (read != material.Length || rsa.KeySize != KeyPairs.RsaBits(spec))
                        {
                            return Incorrect($"The key material is not a PKCS#8 private key of key spec {WireNames.Of(spec)}.");
                        }

                        return rsa.ExportPkcs8PrivateKey();
                    }

                case KeySpec.EccNistP256 or KeySpec.EccNistP384 or KeySpec.EccNistP521 or KeySpec.EccSecgP256K1:
                    using (var ec = ECDsa.Create())
                    {
                        ec.ImportPkcs8PrivateKey(material, out var read);
                        var expected = KeyPairs.Curve(spec);
                        var actual = ec.ExportParameters(false).Curve;
                        if (read != material.Length || !actual.IsNamed || actual.Oid.Value != expected.Oid.Value && actual.Oid.FriendlyName != expected.Oid.FriendlyName)
                        {
                            return Incorrect($"The key material is not a PKCS#8 private key of key spec {WireNames.Of(spec)}.");
                        }

                        return ec.ExportPkcs8PrivateKey();
                    }

                default:
                    return new KmsError(KmsErrorCode.UnsupportedOperation, $"Importing key material for key spec {WireNames.Of(spec)} is not supported.");
            }
        }
        catch (Exception exception) when (exception is CryptographicException or PlatformNotSupportedException)
        {
            // A named curve .NET does not know (any OID can be written into PKCS#8) is PlatformNotSupportedException.
            return Incorrect($"The key material is not a PKCS#8 private key of key spec {WireNames.Of(spec)}.");
        }
    }

    /// <summary>Key specs whose keys can be created with origin EXTERNAL here.</summary>
    public static bool IsImportable(KeySpec spec) =>
        spec == KeySpec.SymmetricDefault || KeySpecRules.IsHmac(spec) || KeySpecRules.IsRsa(spec) || KeySpecRules.IsNistEcc(spec) || spec == KeySpec.EccSecgP256K1;

    /// <summary>HMAC key lengths AWS accepts for imported material: at least the hash length, at most the hash block size.</summary>
    public static (int Min, int Max) HmacRange(KeySpec spec) => spec switch
    {
        KeySpec.Hmac224 => (28, 64),
        KeySpec.Hmac256 => (32, 64),
        KeySpec.Hmac384 => (48, 128),
        KeySpec.Hmac512 => (64, 128),
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    public static KmsError Incorrect(string detail) => new(
        KmsErrorCode.IncorrectKeyMaterial,
        $"The request was rejected because the key material in the request is, expired, invalid, or does not meet expectations. {detail}");
}
