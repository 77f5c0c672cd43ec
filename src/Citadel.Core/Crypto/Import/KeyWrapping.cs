using System.Security.Cryptography;
using Citadel.Core.Keys;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace Citadel.Core.Crypto.Import;

/// <summary>
/// Unwrapping of key material sent to ImportKeyMaterial ("Select a wrapping algorithm", AWS KMS
/// developer guide). RSAES_OAEP_*: RSA-OAEP of the material, MGF1 with the same hash.
/// RSA_AES_KEY_WRAP_*: RSA-OAEP of an ephemeral AES key (as long as the modulus), followed by
/// AES key wrap with padding (RFC 5649) of the material under that AES key.
/// </summary>
public static class KeyWrapping
{
    /// <summary>The plaintext material (the caller zeroes it), or null when it does not unwrap.</summary>
    public static byte[]? Unwrap(WrappingAlgorithm algorithm, ReadOnlySpan<byte> wrappingPrivateKey, ReadOnlySpan<byte> wrapped)
    {
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(wrappingPrivateKey, out _);
        var padding = algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaAesKeyWrapSha1
            ? RSAEncryptionPadding.OaepSHA1
            : RSAEncryptionPadding.OaepSHA256;
        if (algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaesOaepSha256)
        {
            return TryRsaDecrypt(rsa, wrapped, padding);
        }

        var modulusBytes = rsa.KeySize / 8;
        if (wrapped.Length <= modulusBytes)
        {
            return null;
        }

        var aesKey = TryRsaDecrypt(rsa, wrapped[..modulusBytes], padding);
        if (aesKey is null)
        {
            return null;
        }

        try
        {
            if (aesKey.Length is not (16 or 24 or 32))
            {
                return null;
            }

            var engine = new AesWrapPadEngine();
            engine.Init(false, new KeyParameter(aesKey));
            var rest = wrapped[modulusBytes..].ToArray();
            return engine.Unwrap(rest, 0, rest.Length);
        }
        catch (InvalidCipherTextException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    /// <summary>
    /// Wraps material as a customer does (for seeding tools and tests): RSA-OAEP, or RSA-OAEP of a fresh
    /// 256-bit AES key followed by RFC 5649 AES key wrap with padding.
    /// </summary>
    public static byte[] Wrap(WrappingAlgorithm algorithm, ReadOnlySpan<byte> wrappingPublicKey, ReadOnlySpan<byte> material)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(wrappingPublicKey, out _);
        var padding = algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaAesKeyWrapSha1
            ? RSAEncryptionPadding.OaepSHA1
            : RSAEncryptionPadding.OaepSHA256;
        if (algorithm is WrappingAlgorithm.RsaesOaepSha1 or WrappingAlgorithm.RsaesOaepSha256)
        {
            return rsa.Encrypt(material.ToArray(), padding);
        }

        var aesKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            var engine = new AesWrapPadEngine();
            engine.Init(true, new KeyParameter(aesKey));
            var input = material.ToArray();
            return [.. rsa.Encrypt(aesKey, padding), .. engine.Wrap(input, 0, input.Length)];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    private static byte[]? TryRsaDecrypt(RSA rsa, ReadOnlySpan<byte> data, RSAEncryptionPadding padding)
    {
        var modulusBytes = rsa.KeySize / 8;
        if (data.Length != modulusBytes)
        {
            return null;
        }

        var output = new byte[modulusBytes];
        try
        {
            return rsa.TryDecrypt(data, output, padding, out var written) ? output[..written] : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output);
        }
    }
}
