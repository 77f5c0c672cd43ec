using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Keys;

namespace Citadel.Bench;

/// <summary>
/// Sign as the server does it per request: the PKCS#8 private key is imported from the (cached,
/// decrypted) material and the 256-byte message signed. RSA_2048 with RSASSA_PSS_SHA_256,
/// ECC_NIST_P256 with ECDSA_SHA_256, ECC_NIST_EDWARDS25519 with ED25519_SHA_512.
/// </summary>
[MemoryDiagnoser]
public class SignBenchmarks
{
    private readonly byte[] _message = new byte[256];
    private byte[] _rsa = [];
    private byte[] _p256 = [];
    private byte[] _ed25519 = [];
    private RSA _rsaLoaded = null!;
    private ECDsa _p256Loaded = null!;

    [GlobalSetup]
    public void Setup()
    {
        _rsa = KeyPairs.Generate(KeySpec.Rsa2048);
        _p256 = KeyPairs.Generate(KeySpec.EccNistP256);
        _ed25519 = KeyPairs.Generate(KeySpec.EccNistEdwards25519);
        _rsaLoaded = RSA.Create();
        _rsaLoaded.ImportPkcs8PrivateKey(_rsa, out _);
        _p256Loaded = ECDsa.Create();
        _p256Loaded.ImportPkcs8PrivateKey(_p256, out _);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rsaLoaded.Dispose();
        _p256Loaded.Dispose();
    }

    /// <summary>Baselines: the same signatures with the key already imported, to show what a parsed-key cache would save.</summary>
    [Benchmark]
    public byte[] Rsa2048_PssSha256_Preloaded() => _rsaLoaded.SignData(_message, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);

    [Benchmark]
    public byte[] EccNistP256_EcdsaSha256_Preloaded() => _p256Loaded.SignData(_message, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);

    [Benchmark]
    public byte[] Rsa2048_PssSha256() => Signatures.Sign(KeySpec.Rsa2048, _rsa, SigningAlgorithm.RsassaPssSha256, MessageType.Raw, _message);

    [Benchmark]
    public byte[] EccNistP256_EcdsaSha256() => Signatures.Sign(KeySpec.EccNistP256, _p256, SigningAlgorithm.EcdsaSha256, MessageType.Raw, _message);

    [Benchmark]
    public byte[] Ed25519_Sha512() => Signatures.Sign(KeySpec.EccNistEdwards25519, _ed25519, SigningAlgorithm.Ed25519Sha512, MessageType.Raw, _message);
}
