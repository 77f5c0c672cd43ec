using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Crypto.Import;
using Citadel.Core.Keys;

namespace Citadel.Server.Tests.Fuzz;

internal static partial class FuzzTargets
{
    private static readonly Dictionary<string, string> FuzzContext = new() { ["app"] = "fuzz", ["ü"] = "\u4e2d" };

    /// <summary>Ciphertext blobs of symmetric keys: the header read by Decrypt, then decryption under the key it names.</summary>
    private static FuzzTarget SymmetricCiphertextBlob()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var keyId = KeyId.New();
        return new(
            "symmetric-ciphertext",
            () =>
            [
                SymmetricCiphertext.Encrypt(material, keyId, 1, null, "fuzz"u8),
                SymmetricCiphertext.Encrypt(material, keyId, 7, FuzzContext, new byte[300]),
                SymmetricCiphertext.Encrypt(material, keyId, int.MaxValue, null, []),
            ],
            input =>
            {
                if (SymmetricCiphertext.TryReadHeader(input, out _, out var version) && version <= 0)
                {
                    throw new InvalidOperationException("A header was read with a material version that is not positive.");
                }

                SymmetricCiphertext.Decrypt(material, input, null);
                SymmetricCiphertext.Decrypt(material, input, FuzzContext);
            },
            ShortRunExecutions: 15_000);
    }

    /// <summary>RSAES-OAEP ciphertexts of Decrypt with an RSA key.</summary>
    private static FuzzTarget RsaOaepCiphertext()
    {
        var pkcs8 = KeyPairs.Generate(KeySpec.Rsa2048);
        var spki = KeyPairs.PublicKeyOf(KeySpec.Rsa2048, pkcs8);
        return new(
            "rsa-oaep-ciphertext",
            () =>
            [
                RsaOaep.Encrypt(spki, EncryptionAlgorithm.RsaesOaepSha1, "fuzz"u8),
                RsaOaep.Encrypt(spki, EncryptionAlgorithm.RsaesOaepSha256, new byte[190]),
            ],
            input =>
            {
                ZeroAndForget(RsaOaep.Decrypt(pkcs8, EncryptionAlgorithm.RsaesOaepSha1, input));
                ZeroAndForget(RsaOaep.Decrypt(pkcs8, EncryptionAlgorithm.RsaesOaepSha256, input));
            },
            ShortRunExecutions: 375);
    }

    private static readonly (KeySpec Spec, SigningAlgorithm Algorithm)[] SigningCases =
    [
        (KeySpec.Rsa2048, SigningAlgorithm.RsassaPssSha256),
        (KeySpec.Rsa2048, SigningAlgorithm.RsassaPkcs1V15Sha512),
        (KeySpec.EccNistP256, SigningAlgorithm.EcdsaSha256),
        (KeySpec.EccNistP521, SigningAlgorithm.EcdsaSha512),
        (KeySpec.EccSecgP256K1, SigningAlgorithm.EcdsaSha256),
        (KeySpec.EccNistEdwards25519, SigningAlgorithm.Ed25519Sha512),
        (KeySpec.EccNistEdwards25519, SigningAlgorithm.Ed25519PhSha512),
        (KeySpec.MlDsa44, SigningAlgorithm.MlDsaShake256),
    ];

    /// <summary>
    /// Verify's message and signature, checked as VerifyHandler does (the spec's rules, then the .NET
    /// key or BouncyCastle). Input: case (1 byte: key spec, algorithm, message type), message length
    /// (1 byte), message, signature.
    /// </summary>
    private static FuzzTarget SignatureBlob()
    {
        var keys = SigningCases.Select(c => c.Spec).Distinct().ToDictionary(s => s, s =>
        {
            var pkcs8 = KeyPairs.Generate(s);
            return (Private: pkcs8, Public: KeyPairs.PublicKeyOf(s, pkcs8));
        });
        return new(
            "signature",
            () =>
            [
                .. SigningCases.SelectMany((c, i) => ((MessageType[])[MessageType.Raw, MessageType.Digest]).Select(type =>
                {
                    var message = type == MessageType.Digest ? new byte[KeySpecRules.DigestLength(c.Algorithm)] : "fuzz message"u8.ToArray();
                    if (KeySpecRules.CheckSigning(c.Spec, c.Algorithm, type, message.Length) is not null)
                    {
                        return null;
                    }

                    var signature = Signatures.Sign(c.Spec, keys[c.Spec].Private, c.Algorithm, type, message);
                    return (byte[]?)[(byte)(i * 3 + (int)type - 1), (byte)message.Length, .. message, .. signature];
                })).OfType<byte[]>(),
            ],
            input =>
            {
                if (input.Length < 2 || input.Length < 2 + input[1])
                {
                    return;
                }

                var (spec, algorithm) = SigningCases[input[0] / 3 % SigningCases.Length];
                var type = (MessageType)(input[0] % 3 + 1);
                var message = input.AsSpan(2, input[1]);
                var signature = input.AsSpan(2 + input[1]);
                // As the handlers do (AsymmetricSteps): the rules of the key spec, and EXTERNAL_MU refused before Core.
                if (KeySpecRules.CheckSigning(spec, algorithm, type, message.Length) is not null || type == MessageType.ExternalMu || message.Length == 0 || signature.Length == 0)
                {
                    return;
                }

                if (Signatures.UsesDotNetKey(algorithm))
                {
                    using var loaded = Signatures.LoadDotNetKey(algorithm, keys[spec].Public, privateKey: false);
                    Signatures.VerifyWith(loaded, algorithm, type, message, signature);
                }
                else
                {
                    Signatures.Verify(spec, keys[spec].Public, algorithm, type, message, signature);
                }
            },
            ShortRunExecutions: 1_000);
    }

    /// <summary>DeriveSharedSecret's PublicKey: a SubjectPublicKeyInfo that must be a point on the key's curve.</summary>
    private static FuzzTarget PeerPublicKey()
    {
        var own = KeyPairs.Generate(KeySpec.EccNistP256);
        return new(
            "ecdh-peer-key",
            () =>
            [
                KeyPairs.PublicKeyOf(KeySpec.EccNistP256, KeyPairs.Generate(KeySpec.EccNistP256)),
                KeyPairs.PublicKeyOf(KeySpec.EccNistP384, KeyPairs.Generate(KeySpec.EccNistP384)),
                KeyPairs.PublicKeyOf(KeySpec.EccSecgP256K1, KeyPairs.Generate(KeySpec.EccSecgP256K1)),
                KeyPairs.PublicKeyOf(KeySpec.EccNistEdwards25519, KeyPairs.Generate(KeySpec.EccNistEdwards25519)),
            ],
            input => ZeroAndForget(KeyAgreement.DeriveSharedSecret(KeySpec.EccNistP256, own, input)),
            ShortRunExecutions: 2_000);
    }

    /// <summary>ImportKeyMaterial's ImportToken, opened for the key it was made for.</summary>
    private static FuzzTarget ImportTokenBlob()
    {
        var seal = new AesGcmSeal(RandomNumberGenerator.GetBytes(32));
        const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var now = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
        return new(
            "import-token",
            () =>
            [
                .. Enum.GetValues<WrappingAlgorithm>().Select(a => ImportToken.Create(seal, KeyArn, a, 2048, now + ImportToken.Lifetime, RandomNumberGenerator.GetBytes(64))),
                ImportToken.Create(seal, KeyArn, WrappingAlgorithm.RsaesOaepSha256, 4096, now - TimeSpan.FromSeconds(1), [1]),
            ],
            input =>
            {
                var opened = ImportToken.Open(seal, KeyArn, input, now);
                if (opened.IsSuccess)
                {
                    CryptographicOperations.ZeroMemory(opened.Value.WrappingPrivateKey);
                }
            },
            ShortRunExecutions: 15_000);
    }

    private static readonly KeySpec[] ImportableSpecs =
        [.. Enum.GetValues<KeySpec>().Where(ImportedMaterial.IsImportable)];

    /// <summary>
    /// ImportKeyMaterial's EncryptedKeyMaterial, unwrapped with each wrapping algorithm, and what it
    /// unwraps to checked against each importable key spec. Input: wrapping algorithm (1 byte), key
    /// spec (1 byte), then the wrapped material — or, with the first byte's high bit set, material
    /// given as already unwrapped, so that the spec checks (PKCS#8 parsing) are fuzzed directly.
    /// </summary>
    private static FuzzTarget WrappedKeyMaterial()
    {
        var wrappingKey = KeyPairs.Generate(KeySpec.Rsa2048);
        var wrappingPublic = KeyPairs.PublicKeyOf(KeySpec.Rsa2048, wrappingKey);
        var algorithms = Enum.GetValues<WrappingAlgorithm>();
        byte[][] materials =
        [
            RandomNumberGenerator.GetBytes(32),
            RandomNumberGenerator.GetBytes(64),
            KeyPairs.Generate(KeySpec.EccNistP256),
            KeyPairs.Generate(KeySpec.EccSecgP256K1),
            KeyPairs.Generate(KeySpec.Rsa2048),
        ];
        return new(
            "wrapped-key-material",
            () =>
            [
                .. algorithms.SelectMany((a, i) => materials.Where(m => m.Length <= 190 || a >= WrappingAlgorithm.RsaAesKeyWrapSha1)
                    .Select(m => (byte[])[(byte)i, 0, .. KeyWrapping.Wrap(a, wrappingPublic, m)])),
                .. materials.SelectMany(m => ImportableSpecs.Select((s, i) => (byte[])[0x80, (byte)i, .. m])),
            ],
            input =>
            {
                if (input.Length < 2)
                {
                    return;
                }

                var spec = ImportableSpecs[input[1] % ImportableSpecs.Length];
                var material = (input[0] & 0x80) != 0
                    ? input[2..]
                    : KeyWrapping.Unwrap(algorithms[input[0] % algorithms.Length], wrappingKey, input.AsSpan(2));
                if (material is null)
                {
                    return;
                }

                var normalized = ImportedMaterial.Normalize(spec, material);
                if (normalized.IsSuccess)
                {
                    CryptographicOperations.ZeroMemory(normalized.Value);
                }
            },
            ShortRunExecutions: 1_500);
    }

    private static void ZeroAndForget(byte[]? secret)
    {
        if (secret is not null)
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
