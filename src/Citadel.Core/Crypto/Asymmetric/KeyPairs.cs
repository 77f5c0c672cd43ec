using System.Security.Cryptography;
using Citadel.Core.Keys;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Citadel.Core.Crypto.Asymmetric;

/// <summary>
/// Key pairs for every asymmetric key spec. Private keys are PKCS#8 PrivateKeyInfo DER (RFC 5958),
/// public keys X.509 SubjectPublicKeyInfo DER (RFC 5280), as AWS returns them.
/// RSA and the ECDSA/ECDH curves (NIST P-256/384/521 and secp256k1) use .NET's cryptography
/// (OpenSSL on Linux); Ed25519 and ML-DSA use BouncyCastle, because .NET has no Ed25519 and its
/// ML-DSA needs OpenSSL 3.5. SM2 is not offered (<see cref="IsSupported"/>).
/// </summary>
public static class KeyPairs
{
    /// <summary>Whether this server can make and use keys of the spec. SM2 (China Regions only in AWS) is not supported.</summary>
    public static bool IsSupported(KeySpec spec) => KeySpecRules.IsAsymmetric(spec) && spec != KeySpec.Sm2;

    /// <summary>A fresh private key as PKCS#8 DER. The caller owns the array and zeroes it when done.</summary>
    public static byte[] Generate(KeySpec spec)
    {
        switch (spec)
        {
            case KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096:
                using (var rsa = RSA.Create(RsaBits(spec)))
                {
                    return rsa.ExportPkcs8PrivateKey();
                }

            case KeySpec.EccNistP256 or KeySpec.EccNistP384 or KeySpec.EccNistP521 or KeySpec.EccSecgP256K1:
                using (var ec = ECDsa.Create(Curve(spec)))
                {
                    return ec.ExportPkcs8PrivateKey();
                }

            case KeySpec.EccNistEdwards25519:
                {
                    var generator = new Ed25519KeyPairGenerator();
                    generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
                    return PrivateKeyInfoFactory.CreatePrivateKeyInfo(generator.GenerateKeyPair().Private).GetDerEncoded();
                }

            case KeySpec.MlDsa44 or KeySpec.MlDsa65 or KeySpec.MlDsa87:
                {
                    var generator = new MLDsaKeyPairGenerator();
                    generator.Init(new MLDsaKeyGenerationParameters(new SecureRandom(), MlDsaParameters(spec)));
                    // The 32-byte seed form (RFC 9881's "seed" choice): the smallest, and it expands to the same key.
                    var key = ((MLDsaPrivateKeyParameters)generator.GenerateKeyPair().Private).WithPreferredFormat(MLDsaPrivateKeyParameters.Format.SeedOnly);
                    return PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetDerEncoded();
                }

            default:
                throw new NotSupportedException($"Key spec {WireNames.Of(spec)} has no key pair here.");
        }
    }

    /// <summary>The SubjectPublicKeyInfo DER of a PKCS#8 private key of the spec.</summary>
    public static byte[] PublicKeyOf(KeySpec spec, ReadOnlySpan<byte> pkcs8)
    {
        switch (spec)
        {
            case KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096:
                using (var rsa = RSA.Create())
                {
                    rsa.ImportPkcs8PrivateKey(pkcs8, out _);
                    return rsa.ExportSubjectPublicKeyInfo();
                }

            case KeySpec.EccNistP256 or KeySpec.EccNistP384 or KeySpec.EccNistP521 or KeySpec.EccSecgP256K1:
                using (var ec = ECDsa.Create())
                {
                    ec.ImportPkcs8PrivateKey(pkcs8, out _);
                    return ec.ExportSubjectPublicKeyInfo();
                }

            case KeySpec.EccNistEdwards25519:
                return SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(((Ed25519PrivateKeyParameters)LoadPrivate(pkcs8)).GeneratePublicKey()).GetDerEncoded();

            case KeySpec.MlDsa44 or KeySpec.MlDsa65 or KeySpec.MlDsa87:
                return SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(((MLDsaPrivateKeyParameters)LoadPrivate(pkcs8)).GetPublicKey()).GetDerEncoded();

            default:
                throw new NotSupportedException($"Key spec {WireNames.Of(spec)} has no key pair here.");
        }
    }

    internal static int RsaBits(KeySpec spec) => spec switch
    {
        KeySpec.Rsa2048 => 2048,
        KeySpec.Rsa3072 => 3072,
        KeySpec.Rsa4096 => 4096,
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    internal static ECCurve Curve(KeySpec spec) => spec switch
    {
        KeySpec.EccNistP256 => ECCurve.NamedCurves.nistP256,
        KeySpec.EccNistP384 => ECCurve.NamedCurves.nistP384,
        KeySpec.EccNistP521 => ECCurve.NamedCurves.nistP521,
        // secp256k1, OID 1.3.132.0.10 (SEC 2); OpenSSL knows it by name.
        KeySpec.EccSecgP256K1 => ECCurve.CreateFromValue("1.3.132.0.10"),
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    internal static MLDsaParameters MlDsaParameters(KeySpec spec) => spec switch
    {
        KeySpec.MlDsa44 => MLDsaParameters.ml_dsa_44,
        KeySpec.MlDsa65 => MLDsaParameters.ml_dsa_65,
        KeySpec.MlDsa87 => MLDsaParameters.ml_dsa_87,
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };

    internal static AsymmetricKeyParameter LoadPrivate(ReadOnlySpan<byte> pkcs8) => PrivateKeyFactory.CreateKey(pkcs8.ToArray());

    internal static AsymmetricKeyParameter LoadPublic(ReadOnlySpan<byte> spki) => PublicKeyFactory.CreateKey(spki.ToArray());
}
