using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Citadel.Core.Keys;

namespace Citadel.Core.Crypto;

/// <summary>
/// The ciphertext blob of SYMMETRIC_DEFAULT keys (docs/ciphertext-format.md):
/// <code>
/// version (1) = 0x01 (single-Region key) or 0x02 (multi-Region key) | key id (16, UUID big-endian) | material version (4, big-endian)
/// | salt (16) | IV (12) | AES-256-GCM ciphertext (n) | tag (16)
/// </code>
/// The per-request key is HKDF-SHA256(material, salt, "citadel/ciphertext/v1"), so one key can
/// encrypt without approaching AES-GCM's random-nonce limits. The associated data is the
/// 49-byte header followed by the canonical encryption context, so a changed header or context
/// fails authentication.
/// </summary>
public static class SymmetricCiphertext
{
    public const byte FormatVersion = 1;

    /// <summary>The same layout, naming a multi-Region key (<c>mrk-</c> and the id's 16 bytes): every key of its set opens it.</summary>
    public const byte MultiRegionFormatVersion = 2;
    public const int HeaderSize = 1 + 16 + 4 + SaltSize + IvSize;
    public const int Overhead = HeaderSize + TagSize;
    private const int SaltSize = 16;
    private const int IvSize = 12;
    private const int TagSize = 16;
    private const int DerivedKeySize = 32;
    private const int StackLimit = 256;

    private static ReadOnlySpan<byte> Info => "citadel/ciphertext/v1"u8;

    /// <summary>Reads the key id and material version a blob names, without decrypting it.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> blob, out KeyId keyId, out int materialVersion)
    {
        keyId = default;
        materialVersion = 0;
        if (blob.Length < Overhead || blob[0] is not (FormatVersion or MultiRegionFormatVersion))
        {
            return false;
        }

        // A multi-Region id names the set: the caller places it in the Region of the request.
        keyId = new KeyId(new Guid(blob.Slice(1, 16), bigEndian: true));
        if (blob[0] == MultiRegionFormatVersion)
        {
            keyId = KeyId.MultiRegion(keyId.Value);
        }

        var version = BinaryPrimitives.ReadUInt32BigEndian(blob.Slice(17, 4));
        if (version is 0 or > int.MaxValue)
        {
            return false;
        }

        materialVersion = (int)version;
        return true;
    }

    public static byte[] Encrypt(
        ReadOnlySpan<byte> material,
        KeyId keyId,
        int materialVersion,
        IReadOnlyDictionary<string, string>? context,
        ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[Overhead + plaintext.Length];
        EncryptInto(material, keyId, materialVersion, context, plaintext, blob);
        return blob;
    }

    /// <summary>Encrypts into <paramref name="blob"/>, which is <see cref="Overhead"/> + plaintext length bytes long (a caller's pooled buffer).</summary>
    public static void EncryptInto(
        ReadOnlySpan<byte> material,
        KeyId keyId,
        int materialVersion,
        IReadOnlyDictionary<string, string>? context,
        ReadOnlySpan<byte> plaintext,
        Span<byte> blob)
    {
        Span<byte> saltAndIv = stackalloc byte[SaltSize + IvSize];
        RandomNumberGenerator.Fill(saltAndIv);
        Write(material, keyId, materialVersion, context, plaintext, saltAndIv, blob);
    }

    /// <summary>
    /// Encrypts with the given salt and IV (16 + 12 bytes). Only for known-answer tests: a
    /// salt and IV must never be reused, so production code calls the overload that draws them.
    /// </summary>
    internal static byte[] Encrypt(
        ReadOnlySpan<byte> material,
        KeyId keyId,
        int materialVersion,
        IReadOnlyDictionary<string, string>? context,
        ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> saltAndIv)
    {
        if (saltAndIv.Length != SaltSize + IvSize)
        {
            throw new ArgumentException("The salt and IV must be 28 bytes.", nameof(saltAndIv));
        }

        var blob = new byte[Overhead + plaintext.Length];
        Write(material, keyId, materialVersion, context, plaintext, saltAndIv, blob);
        return blob;
    }

    private static void Write(
        ReadOnlySpan<byte> material,
        KeyId keyId,
        int materialVersion,
        IReadOnlyDictionary<string, string>? context,
        ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> saltAndIv,
        Span<byte> blob)
    {
        if (blob.Length != Overhead + plaintext.Length)
        {
            throw new ArgumentException("The blob must be Overhead + plaintext length bytes.", nameof(blob));
        }

        blob[0] = keyId.IsMultiRegion ? MultiRegionFormatVersion : FormatVersion;
        keyId.Value.TryWriteBytes(blob.Slice(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt32BigEndian(blob.Slice(17, 4), (uint)materialVersion);
        saltAndIv.CopyTo(blob.Slice(21, SaltSize + IvSize));
        Seal(material, blob, context, plaintext);
    }

    /// <summary>
    /// Decrypts <paramref name="blob"/> with <paramref name="material"/> (the version the header names).
    /// Returns null when the blob, the context or the material do not match.
    /// </summary>
    public static byte[]? Decrypt(ReadOnlySpan<byte> material, ReadOnlySpan<byte> blob, IReadOnlyDictionary<string, string>? context)
    {
        if (blob.Length < Overhead || blob[0] is not (FormatVersion or MultiRegionFormatVersion))
        {
            return null;
        }

        var plaintext = new byte[blob.Length - Overhead];
        if (!Open(material, blob, context, plaintext))
        {
            return null;
        }

        return plaintext;
    }

    private static void Seal(ReadOnlySpan<byte> material, Span<byte> blob, IReadOnlyDictionary<string, string>? context, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> key = stackalloc byte[DerivedKeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, material, key, blob.Slice(21, SaltSize), Info);
        var header = blob[..HeaderSize];
        var aadLength = HeaderSize + EncryptionContext.CanonicalLength(context);
        byte[]? rented = null;
        var aad = aadLength <= StackLimit ? stackalloc byte[aadLength] : (rented = ArrayPool<byte>.Shared.Rent(aadLength)).AsSpan(0, aadLength);
        try
        {
            header.CopyTo(aad);
            EncryptionContext.WriteCanonical(context, aad[HeaderSize..]);
            using var gcm = new AesGcm(key, TagSize);
            gcm.Encrypt(blob.Slice(21 + SaltSize, IvSize), plaintext, blob.Slice(HeaderSize, plaintext.Length), blob[^TagSize..], aad);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool Open(ReadOnlySpan<byte> material, ReadOnlySpan<byte> blob, IReadOnlyDictionary<string, string>? context, Span<byte> plaintext)
    {
        Span<byte> key = stackalloc byte[DerivedKeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, material, key, blob.Slice(21, SaltSize), Info);
        var aadLength = HeaderSize + EncryptionContext.CanonicalLength(context);
        byte[]? rented = null;
        var aad = aadLength <= StackLimit ? stackalloc byte[aadLength] : (rented = ArrayPool<byte>.Shared.Rent(aadLength)).AsSpan(0, aadLength);
        try
        {
            blob[..HeaderSize].CopyTo(aad);
            EncryptionContext.WriteCanonical(context, aad[HeaderSize..]);
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(blob.Slice(21 + SaltSize, IvSize), blob.Slice(HeaderSize, plaintext.Length), blob[^TagSize..], plaintext, aad);
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
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
