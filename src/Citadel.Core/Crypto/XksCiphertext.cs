using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Citadel.Core.Keys;

namespace Citadel.Core.Crypto;

/// <summary>
/// What Citadel, serving the XKS proxy API, returns for an encryption (docs/external-key-stores.md): the
/// ciphertext, IV and tag separately, as the XKS proxy API specification asks, and 20 bytes of ciphertextMetadata
/// <code>
/// format (1) = 0x01 | material version (3, big-endian) | salt (16)
/// </code>
/// The per-request key is HKDF-SHA256(material, salt, "citadel/xks/v1" | key id), so a key rotated in Citadel still
/// decrypts what its older material encrypted, and one key can encrypt without approaching AES-GCM's
/// random-nonce limits. The AES-GCM associated data is the specification's (Encrypt, ciphertextMetadata):
/// 2-byte big-endian length of the AAD | AAD | 1-byte length of the metadata | metadata, so a changed AAD or
/// metadata fails authentication and neither can stand in for the other.
/// </summary>
public static class XksCiphertext
{
    public const byte FormatVersion = 1;
    public const int MetadataSize = 1 + 3 + SaltSize;
    public const int IvSize = 12;
    public const int TagSize = 16;

    /// <summary>The largest material version the 3-byte field holds.</summary>
    public const int MaxMaterialVersion = 0xFF_FFFF;

    /// <summary>The largest AAD the 2-byte length prefix holds.</summary>
    public const int MaxAadSize = ushort.MaxValue;

    private const int SaltSize = 16;
    private const int DerivedKeySize = 32;
    private const int StackLimit = 256;

    private static ReadOnlySpan<byte> Info => "citadel/xks/v1"u8;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> under <paramref name="material"/> (version <paramref name="materialVersion"/>
    /// of key <paramref name="keyId"/>) into the caller's buffers: <paramref name="ciphertext"/> (as long as the plaintext),
    /// <paramref name="iv"/> (<see cref="IvSize"/>), <paramref name="tag"/> (<see cref="TagSize"/>) and
    /// <paramref name="metadata"/> (<see cref="MetadataSize"/>).
    /// </summary>
    public static void Encrypt(
        ReadOnlySpan<byte> material,
        KeyId keyId,
        int materialVersion,
        ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> plaintext,
        Span<byte> ciphertext,
        Span<byte> iv,
        Span<byte> tag,
        Span<byte> metadata)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(materialVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(materialVersion, MaxMaterialVersion);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(aad.Length, MaxAadSize);
        metadata[0] = FormatVersion;
        metadata[1] = (byte)(materialVersion >> 16);
        metadata[2] = (byte)(materialVersion >> 8);
        metadata[3] = (byte)materialVersion;
        RandomNumberGenerator.Fill(metadata.Slice(4, SaltSize));
        RandomNumberGenerator.Fill(iv[..IvSize]);
        Span<byte> key = stackalloc byte[DerivedKeySize];
        var length = AssociatedLength(aad, metadata[..MetadataSize]);
        byte[]? rented = null;
        var associated = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            Prepare(material, keyId, aad, metadata[..MetadataSize], key, associated);
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(iv[..IvSize], plaintext, ciphertext[..plaintext.Length], tag[..TagSize], associated[..length]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            Return(rented);
        }
    }

    /// <summary>The material version a ciphertextMetadata names; false when it is not Citadel's.</summary>
    public static bool TryReadMaterialVersion(ReadOnlySpan<byte> metadata, out int materialVersion)
    {
        materialVersion = 0;
        if (metadata.Length != MetadataSize || metadata[0] != FormatVersion)
        {
            return false;
        }

        materialVersion = (metadata[1] << 16) | (metadata[2] << 8) | metadata[3];
        return materialVersion > 0;
    }

    /// <summary>
    /// Decrypts into <paramref name="plaintext"/> (as long as the ciphertext); false (and the plaintext wiped) when
    /// anything was changed: the ciphertext, IV, tag, metadata or AAD.
    /// </summary>
    public static bool TryDecrypt(
        ReadOnlySpan<byte> material,
        KeyId keyId,
        ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> metadata,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> tag,
        Span<byte> plaintext)
    {
        if (metadata.Length != MetadataSize || iv.Length != IvSize || tag.Length != TagSize || aad.Length > MaxAadSize)
        {
            return false;
        }

        Span<byte> key = stackalloc byte[DerivedKeySize];
        var length = AssociatedLength(aad, metadata);
        byte[]? rented = null;
        var associated = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            Prepare(material, keyId, aad, metadata, key, associated);
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(iv, ciphertext, tag, plaintext[..ciphertext.Length], associated[..length]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            Return(rented);
        }
    }

    /// <summary>
    /// The ciphertextDataIntegrityValue (specification, Appendix C): SHA-256 over AAD | metadata | IV | ciphertext | tag,
    /// into <paramref name="destination"/> (32 bytes).
    /// </summary>
    public static void IntegrityValue(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(aad);
        hash.AppendData(metadata);
        hash.AppendData(iv);
        hash.AppendData(ciphertext);
        hash.AppendData(tag);
        hash.GetHashAndReset(destination);
    }

    /// <summary>The per-request key into <paramref name="key"/> and the associated data into <paramref name="associated"/>.</summary>
    private static void Prepare(ReadOnlySpan<byte> material, KeyId keyId, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> metadata, Span<byte> key, Span<byte> associated)
    {
        Span<byte> info = stackalloc byte[Info.Length + 16];
        Info.CopyTo(info);
        keyId.Value.TryWriteBytes(info[Info.Length..], bigEndian: true, out _);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, material, key, metadata.Slice(4, SaltSize), info);
        BinaryPrimitives.WriteUInt16BigEndian(associated, (ushort)aad.Length);
        aad.CopyTo(associated[2..]);
        associated[2 + aad.Length] = (byte)metadata.Length;
        metadata.CopyTo(associated[(3 + aad.Length)..]);
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int AssociatedLength(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> metadata) => 2 + aad.Length + 1 + metadata.Length;
}
