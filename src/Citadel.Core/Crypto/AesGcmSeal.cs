using System.Security.Cryptography;

namespace Citadel.Core.Crypto;

/// <summary>
/// A seal over a 256-bit root key held in memory: AES-256-GCM, a fresh random 96-bit nonce per
/// seal. Layout: version (1) | nonce (12) | ciphertext | tag (16).
/// </summary>
public sealed class AesGcmSeal : ISeal, IDisposable
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int Overhead = 1 + NonceSize + TagSize;

    private readonly byte[] _rootKey;

    public AesGcmSeal(ReadOnlySpan<byte> rootKey)
    {
        if (rootKey.Length != 32)
        {
            throw new ArgumentException("The root key must be 256 bits.", nameof(rootKey));
        }

        _rootKey = rootKey.ToArray();
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[Overhead + plaintext.Length];
        output[0] = FormatVersion;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(_rootKey, TagSize);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize, plaintext.Length), output.AsSpan(output.Length - TagSize), associatedData);
        return output;
    }

    public byte[] Unseal(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData)
    {
        if (sealedData.Length < Overhead || sealedData[0] != FormatVersion)
        {
            throw new AuthenticationTagMismatchException("The sealed data is not in a known format.");
        }

        var plaintext = new byte[sealedData.Length - Overhead];
        using var gcm = new AesGcm(_rootKey, TagSize);
        gcm.Decrypt(
            sealedData.Slice(1, NonceSize),
            sealedData.Slice(1 + NonceSize, plaintext.Length),
            sealedData[^TagSize..],
            plaintext,
            associatedData);
        return plaintext;
    }

    /// <summary>HKDF-SHA256 of the root key itself (no salt: the root key is uniformly random), the label as its info.</summary>
    public void DeriveKey(ReadOnlySpan<byte> label, Span<byte> key) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _rootKey, key, ReadOnlySpan<byte>.Empty, label);

    public void Dispose() => CryptographicOperations.ZeroMemory(_rootKey);
}
