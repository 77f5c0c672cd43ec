using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Citadel.EndToEnd.Tests.Asymmetric;

/// <summary>Checks a signature outside Citadel, over the public key GetPublicKey returned: .NET for RSA and ECDSA, BouncyCastle for Ed25519 and ML-DSA.</summary>
internal static class IndependentVerifier
{
    public static bool Verify(string algorithm, byte[] spki, byte[] message, bool isDigest, byte[] signature)
    {
        if (algorithm.StartsWith("RSASSA", StringComparison.Ordinal))
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
            var padding = algorithm.Contains("PSS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            return isDigest ? rsa.VerifyHash(message, signature, Hash(algorithm), padding) : rsa.VerifyData(message, signature, Hash(algorithm), padding);
        }

        if (algorithm.StartsWith("ECDSA", StringComparison.Ordinal))
        {
            using var ec = ECDsa.Create();
            ec.ImportSubjectPublicKeyInfo(spki, out _);
            return isDigest
                ? ec.VerifyHash(message, signature, DSASignatureFormat.Rfc3279DerSequence)
                : ec.VerifyData(message, signature, Hash(algorithm), DSASignatureFormat.Rfc3279DerSequence);
        }

        var publicKey = PublicKeyFactory.CreateKey(spki);
        ISigner signer = algorithm switch
        {
            "ED25519_SHA_512" => new Ed25519Signer(),
            "ED25519_PH_SHA_512" => new Ed25519phSigner([]),
            "ML_DSA_SHAKE_256" => new MLDsaSigner(((MLDsaPublicKeyParameters)publicKey).Parameters, deterministic: false),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        signer.Init(false, publicKey);
        signer.BlockUpdate(message, 0, message.Length);
        return signer.VerifySignature(signature);
    }

    public static HashAlgorithmName Hash(string algorithm) =>
        algorithm.EndsWith("256", StringComparison.Ordinal) ? HashAlgorithmName.SHA256
        : algorithm.EndsWith("384", StringComparison.Ordinal) ? HashAlgorithmName.SHA384
        : HashAlgorithmName.SHA512;

    public static byte[] Digest(string algorithm, byte[] message) => Hash(algorithm).Name switch
    {
        "SHA256" => SHA256.HashData(message),
        "SHA384" => SHA384.HashData(message),
        _ => SHA512.HashData(message),
    };
}
