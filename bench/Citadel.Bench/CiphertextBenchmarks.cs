using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;

namespace Citadel.Bench;

/// <summary>The symmetric ciphertext format: HKDF per request plus AES-256-GCM, 256-byte plaintext with a one-pair context.</summary>
[MemoryDiagnoser]
public class CiphertextBenchmarks
{
    private readonly byte[] _material = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(256);
    private readonly Dictionary<string, string> _context = new() { ["app"] = "billing" };
    private readonly KeyId _keyId = KeyId.New();
    private byte[] _blob = [];

    [GlobalSetup]
    public void Setup() => _blob = SymmetricCiphertext.Encrypt(_material, _keyId, 1, _context, _plaintext);

    [Benchmark]
    public byte[] Encrypt() => SymmetricCiphertext.Encrypt(_material, _keyId, 1, _context, _plaintext);

    [Benchmark]
    public byte[]? Decrypt() => SymmetricCiphertext.Decrypt(_material, _blob, _context);
}
