using System.Security.Cryptography;
using Citadel.Core.Keys;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Signers;

namespace Citadel.Core.Crypto.Asymmetric;

/// <summary>
/// Sign and Verify as AWS KMS defines them. RSASSA-PSS uses MGF1 with the message hash and a salt
/// as long as the hash; ECDSA signatures are DER-encoded (RFC 3279 Ecdsa-Sig-Value), as AWS returns
/// them; ED25519_PH_SHA_512 is Ed25519ph (RFC 8032 §5.1) over the given digest, so KMS's SHA-512
/// prehash is applied to it once more; ML_DSA_SHAKE_256 is pure ML-DSA (FIPS 204) with an empty context.
/// Callers check <see cref="KeySpecRules.CheckSigning"/> first.
/// </summary>
public static class Signatures
{
    /// <summary>Whether <see cref="SignWith"/> and <see cref="VerifyWith"/> serve this algorithm (the .NET-backed RSA and ECDSA ones).</summary>
    public static bool UsesDotNetKey(SigningAlgorithm algorithm) => algorithm is
        SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPssSha512
        or SigningAlgorithm.RsassaPkcs1V15Sha256 or SigningAlgorithm.RsassaPkcs1V15Sha384 or SigningAlgorithm.RsassaPkcs1V15Sha512
        or SigningAlgorithm.EcdsaSha256 or SigningAlgorithm.EcdsaSha384 or SigningAlgorithm.EcdsaSha512;

    /// <summary>Loads a PKCS#8 private key (privateKey true) or an SPKI public key as the .NET object the RSA/ECDSA algorithms use.</summary>
    public static AsymmetricAlgorithm LoadDotNetKey(SigningAlgorithm algorithm, ReadOnlySpan<byte> der, bool privateKey)
    {
        AsymmetricAlgorithm key = algorithm is SigningAlgorithm.EcdsaSha256 or SigningAlgorithm.EcdsaSha384 or SigningAlgorithm.EcdsaSha512 ? ECDsa.Create() : RSA.Create();
        try
        {
            if (privateKey)
            {
                key.ImportPkcs8PrivateKey(der, out _);
            }
            else
            {
                key.ImportSubjectPublicKeyInfo(der, out _);
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Signs with an already loaded key (see <see cref="LoadDotNetKey"/>); the caller owns it exclusively for the call.</summary>
    public static byte[] SignWith(AsymmetricAlgorithm key, SigningAlgorithm algorithm, MessageType type, ReadOnlySpan<byte> message) => key switch
    {
        RSA rsa => type == MessageType.Digest
            ? rsa.SignHash(message.ToArray(), Hash(algorithm), RsaPadding(algorithm))
            : rsa.SignData(message.ToArray(), Hash(algorithm), RsaPadding(algorithm)),
        ECDsa ec => type == MessageType.Digest
            ? ec.SignHash(message, DSASignatureFormat.Rfc3279DerSequence)
            : ec.SignData(message, Hash(algorithm), DSASignatureFormat.Rfc3279DerSequence),
        _ => throw new ArgumentException("Only RSA and ECDSA keys are loaded as .NET objects.", nameof(key)),
    };

    /// <summary>Verifies with an already loaded public key.</summary>
    public static bool VerifyWith(AsymmetricAlgorithm key, SigningAlgorithm algorithm, MessageType type, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        try
        {
            return key switch
            {
                RSA rsa => VerifyRsa(rsa, algorithm, type, message, signature),
                ECDsa ec => type == MessageType.Digest
                    ? ec.VerifyHash(message, signature, DSASignatureFormat.Rfc3279DerSequence)
                    : ec.VerifyData(message, signature, Hash(algorithm), DSASignatureFormat.Rfc3279DerSequence),
                _ => throw new ArgumentException("Only RSA and ECDSA keys are loaded as .NET objects.", nameof(key)),
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public static byte[] Sign(KeySpec spec, ReadOnlySpan<byte> pkcs8, SigningAlgorithm algorithm, MessageType type, ReadOnlySpan<byte> message)
    {
        switch (algorithm)
        {
            case SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPssSha512
                or SigningAlgorithm.RsassaPkcs1V15Sha256 or SigningAlgorithm.RsassaPkcs1V15Sha384 or SigningAlgorithm.RsassaPkcs1V15Sha512:
                using (var rsa = RSA.Create())
                {
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    return type == MessageType.Digest
                        ? rsa.SignHash(message.ToArray(), Hash(algorithm), RsaPadding(algorithm))
                        : rsa.SignData(message.ToArray(), Hash(algorithm), RsaPadding(algorithm));
                }

            case SigningAlgorithm.EcdsaSha256 or SigningAlgorithm.EcdsaSha384 or SigningAlgorithm.EcdsaSha512:
                using (var ec = ECDsa.Create())
                {
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    return type == MessageType.Digest
                        ? ec.SignHash(message, DSASignatureFormat.Rfc3279DerSequence)
                        : ec.SignData(message, Hash(algorithm), DSASignatureFormat.Rfc3279DerSequence);
                }

            case SigningAlgorithm.Ed25519Sha512 or SigningAlgorithm.Ed25519PhSha512 or SigningAlgorithm.MlDsaShake256:
                {
                    var signer = BouncySigner(spec, algorithm, type);
                    signer.Init(true, KeyPairs.LoadPrivate(pkcs8));
                    signer.BlockUpdate(message);
                    return signer.GenerateSignature();
                }

            default:
                throw new NotSupportedException($"Signing algorithm {AlgorithmNames.Of(algorithm)} is not supported.");
        }
    }

    /// <summary>Whether the signature is valid for the message under the SubjectPublicKeyInfo. A malformed signature is just invalid.</summary>
    public static bool Verify(KeySpec spec, ReadOnlySpan<byte> spki, SigningAlgorithm algorithm, MessageType type, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (algorithm)
            {
                case SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPssSha512
                    or SigningAlgorithm.RsassaPkcs1V15Sha256 or SigningAlgorithm.RsassaPkcs1V15Sha384 or SigningAlgorithm.RsassaPkcs1V15Sha512:
                    using (var rsa = RSA.Create())
                    {
                        rsa.ImportSubjectPublicKeyInfo(spki, out _);
                        return VerifyRsa(rsa, algorithm, type, message, signature);
                    }

                case SigningAlgorithm.EcdsaSha256 or SigningAlgorithm.EcdsaSha384 or SigningAlgorithm.EcdsaSha512:
                    using (var ec = ECDsa.Create())
                    {
                        ec.ImportSubjectPublicKeyInfo(spki, out _);
                        return type == MessageType.Digest
                            ? ec.VerifyHash(message, signature, DSASignatureFormat.Rfc3279DerSequence)
                            : ec.VerifyData(message, signature, Hash(algorithm), DSASignatureFormat.Rfc3279DerSequence);
                    }

                case SigningAlgorithm.Ed25519Sha512 or SigningAlgorithm.Ed25519PhSha512 or SigningAlgorithm.MlDsaShake256:
                    {
                        var signer = BouncySigner(spec, algorithm, type);
                        signer.Init(false, KeyPairs.LoadPublic(spki));
                        signer.BlockUpdate(message);
                        return signer.VerifySignature(signature.ToArray());
                    }

                default:
                    throw new NotSupportedException($"Signing algorithm {AlgorithmNames.Of(algorithm)} is not supported.");
            }
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static ISigner BouncySigner(KeySpec spec, SigningAlgorithm algorithm, MessageType type)
    {
        if (type == MessageType.ExternalMu)
        {
            // BouncyCastle 2.7 has no public API for signing a precomputed μ; refused before we get here.
            throw new NotSupportedException("EXTERNAL_MU is not supported.");
        }

        return algorithm switch
        {
            SigningAlgorithm.Ed25519Sha512 => new Ed25519Signer(),
            SigningAlgorithm.Ed25519PhSha512 => new Ed25519phSigner([]),
            // Hedged (randomized) signing, FIPS 204's default.
            _ => new MLDsaSigner(KeyPairs.MlDsaParameters(spec), deterministic: false),
        };
    }

    private static HashAlgorithmName Hash(SigningAlgorithm algorithm) => algorithm switch
    {
        SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPkcs1V15Sha256 or SigningAlgorithm.EcdsaSha256 => HashAlgorithmName.SHA256,
        SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPkcs1V15Sha384 or SigningAlgorithm.EcdsaSha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    /// <summary>
    /// RFC 8017 (8.1.2 and 8.2.2, step 1): a signature that is not exactly as long as the modulus is
    /// invalid. OpenSSL takes a PSS signature with its leading zero octets left off as the same
    /// integer, so the length is checked here rather than left to it.
    /// </summary>
    private static bool VerifyRsa(RSA rsa, SigningAlgorithm algorithm, MessageType type, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == (rsa.KeySize + 7) / 8
        && (type == MessageType.Digest
            ? rsa.VerifyHash(message, signature, Hash(algorithm), RsaPadding(algorithm))
            : rsa.VerifyData(message, signature, Hash(algorithm), RsaPadding(algorithm)));

    private static RSASignaturePadding RsaPadding(SigningAlgorithm algorithm) => algorithm is SigningAlgorithm.RsassaPssSha256 or SigningAlgorithm.RsassaPssSha384 or SigningAlgorithm.RsassaPssSha512
        ? RSASignaturePadding.Pss
        : RSASignaturePadding.Pkcs1;
}
