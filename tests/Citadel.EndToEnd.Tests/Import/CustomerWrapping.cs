using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Citadel.EndToEnd.Tests.Import;

/// <summary>What a customer does to import material: wrap it with the public key of GetParametersForImport, then import it.</summary>
public static class CustomerWrapping
{
    /// <summary>
    /// RSAES_OAEP_*: RSA-OAEP of the material. RSA_AES_KEY_WRAP_*: RSA-OAEP of a fresh AES-256 key, then RFC 5649 AES key
    /// wrap with padding of the material (what `openssl enc -id-aes256-wrap-pad` does), concatenated.
    /// </summary>
    public static byte[] Wrap(string algorithm, byte[] publicKey, byte[] material)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(publicKey, out _);
        var padding = algorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        if (algorithm.StartsWith("RSAES_", StringComparison.Ordinal))
        {
            return rsa.Encrypt(material, padding);
        }

        var aesKey = RandomNumberGenerator.GetBytes(32);
        var wrap = new AesWrapPadEngine();
        wrap.Init(true, new KeyParameter(aesKey));
        return [.. rsa.Encrypt(aesKey, padding), .. wrap.Wrap(material, 0, material.Length)];
    }

    public static async Task<GetParametersForImportResponse> ParametersAsync(this IAmazonKeyManagementService kms, string keyId, string algorithm = "RSAES_OAEP_SHA_256", string spec = "RSA_2048") =>
        await kms.GetParametersForImportAsync(new GetParametersForImportRequest
        {
            KeyId = keyId,
            WrappingAlgorithm = algorithm,
            WrappingKeySpec = spec,
        });

    /// <summary>Gets parameters, wraps and imports; returns the import response.</summary>
    public static async Task<ImportKeyMaterialResponse> ImportAsync(
        this IAmazonKeyManagementService kms,
        string keyId,
        byte[] material,
        string algorithm = "RSAES_OAEP_SHA_256",
        Action<ImportKeyMaterialRequest>? configure = null)
    {
        var parameters = await kms.ParametersAsync(keyId, algorithm);
        var request = new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = parameters.ImportToken,
            EncryptedKeyMaterial = new MemoryStream(Wrap(algorithm, parameters.PublicKey.ToArray(), material)),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        };
        configure?.Invoke(request);
        return await kms.ImportKeyMaterialAsync(request);
    }

    public static async Task<KeyMetadata> NewExternalKeyAsync(this IAmazonKeyManagementService kms, string spec = "SYMMETRIC_DEFAULT", string? usage = null)
    {
        var response = await kms.CreateKeyAsync(new CreateKeyRequest
        {
            Origin = OriginType.EXTERNAL,
            KeySpec = spec,
            KeyUsage = usage,
            Description = "imported",
        });
        return response.KeyMetadata;
    }
}
