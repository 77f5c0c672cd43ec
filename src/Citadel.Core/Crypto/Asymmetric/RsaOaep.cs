using System.Security.Cryptography;
using Citadel.Core.Keys;

namespace Citadel.Core.Crypto.Asymmetric;

/// <summary>RSAES-OAEP (RFC 8017 §7.1) with MGF1 over the same hash, the two algorithms AWS offers for RSA encryption keys.</summary>
public static class RsaOaep
{
    public static byte[] Encrypt(ReadOnlySpan<byte> spki, EncryptionAlgorithm algorithm, ReadOnlySpan<byte> plaintext)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(spki, out _);
        return rsa.Encrypt(plaintext.ToArray(), Padding(algorithm));
    }

    /// <summary>The plaintext (the caller wipes it), or null when the ciphertext does not decrypt under the key.</summary>
    public static byte[]? Decrypt(ReadOnlySpan<byte> pkcs8, EncryptionAlgorithm algorithm, ReadOnlySpan<byte> ciphertext)
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        if (ciphertext.Length != rsa.KeySize / 8)
        {
            return null;
        }

        try
        {
            return rsa.Decrypt(ciphertext.ToArray(), Padding(algorithm));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static RSAEncryptionPadding Padding(EncryptionAlgorithm algorithm) => algorithm switch
    {
        EncryptionAlgorithm.RsaesOaepSha1 => RSAEncryptionPadding.OaepSHA1,
        EncryptionAlgorithm.RsaesOaepSha256 => RSAEncryptionPadding.OaepSHA256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };
}
