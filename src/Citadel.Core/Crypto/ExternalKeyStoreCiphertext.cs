using System.Security.Cryptography;
using Citadel.Core.Keys;

namespace Citadel.Core.Crypto;

/// <summary>The parts of an external key store ciphertext: what the proxy's AES-GCM produced over the inner blob.</summary>
public sealed record ExternalCiphertextParts(KeyId KeyId, byte[] InitializationVector, byte[] AuthenticationTag, byte[] CiphertextMetadata, byte[] Ciphertext);

/// <summary>
/// The ciphertext blob of keys in an external key store (docs/ciphertext-format.md), double encrypted: the inner blob is
/// a <see cref="SymmetricCiphertext"/> under the key's own material, and the proxy encrypts it again under the external key:
/// <code>
/// version (1) = 0x03 | key id (16, UUID big-endian) | IV length (1) | IV (12 or 16) | tag (16)
/// | metadata length (1) | ciphertext metadata (0–20) | proxy's AES-GCM ciphertext of the inner blob (n)
/// </code>
/// The proxy's associated data is the first 17 bytes (version and key id) followed by the canonical encryption context,
/// so the proxy alone refuses a blob moved to another key or given another context, and the inner blob needs the key's own
/// material: neither side alone can decrypt. The proxy's fields are those of the XKS proxy API's encrypt response.
/// </summary>
public static class ExternalKeyStoreCiphertext
{
    public const byte FormatVersion = 3;
    public const int TagSize = 16;

    /// <summary>The XKS proxy API's largest ciphertextMetadata.</summary>
    public const int MaxMetadataSize = 20;

    private const int PrefixSize = 1 + 16;

    /// <summary>Reads the key id a blob names, without decrypting it.</summary>
    public static bool TryReadKeyId(ReadOnlySpan<byte> blob, out KeyId keyId)
    {
        keyId = default;
        if (blob.Length < PrefixSize || blob[0] != FormatVersion)
        {
            return false;
        }

        keyId = new KeyId(new Guid(blob.Slice(1, 16), bigEndian: true));
        return true;
    }

    /// <summary>The associated data the proxy binds: version, key id, canonical encryption context.</summary>
    public static byte[] AssociatedData(KeyId keyId, IReadOnlyDictionary<string, string>? context)
    {
        var aad = new byte[PrefixSize + EncryptionContext.CanonicalLength(context)];
        aad[0] = FormatVersion;
        keyId.Value.TryWriteBytes(aad.AsSpan(1, 16), bigEndian: true, out _);
        EncryptionContext.WriteCanonical(context, aad.AsSpan(PrefixSize));
        return aad;
    }

    /// <summary>Whether the proxy's encrypt output has the shape the XKS proxy API promises (IV 12 or 16 bytes, tag 16, metadata at most 20, ciphertext as long as the plaintext).</summary>
    public static bool IsWellFormed(int plaintextLength, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> ciphertext) =>
        iv.Length is 12 or 16 && tag.Length == TagSize && metadata.Length <= MaxMetadataSize && ciphertext.Length == plaintextLength;

    /// <summary>
    /// The ciphertext data integrity value (XKS proxy API, Appendix C): SHA-256 over AAD, metadata, IV, ciphertext and tag,
    /// which the server recomputes to catch an encrypt response damaged on its way.
    /// </summary>
    public static byte[] IntegrityValue(ReadOnlySpan<byte> aad, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(aad);
        sha.AppendData(metadata);
        sha.AppendData(iv);
        sha.AppendData(ciphertext);
        sha.AppendData(tag);
        return sha.GetHashAndReset();
    }

    public static byte[] Compose(ExternalCiphertextParts parts)
    {
        var blob = new byte[PrefixSize + 1 + parts.InitializationVector.Length + TagSize + 1 + parts.CiphertextMetadata.Length + parts.Ciphertext.Length];
        blob[0] = FormatVersion;
        parts.KeyId.Value.TryWriteBytes(blob.AsSpan(1, 16), bigEndian: true, out _);
        var at = PrefixSize;
        blob[at++] = (byte)parts.InitializationVector.Length;
        parts.InitializationVector.CopyTo(blob, at);
        at += parts.InitializationVector.Length;
        parts.AuthenticationTag.CopyTo(blob, at);
        at += TagSize;
        blob[at++] = (byte)parts.CiphertextMetadata.Length;
        parts.CiphertextMetadata.CopyTo(blob, at);
        at += parts.CiphertextMetadata.Length;
        parts.Ciphertext.CopyTo(blob, at);
        return blob;
    }

    /// <summary>Splits a blob into its parts; null when it is not a well-formed external key store blob.</summary>
    public static ExternalCiphertextParts? TryParse(ReadOnlySpan<byte> blob)
    {
        if (!TryReadKeyId(blob, out var keyId) || blob.Length < PrefixSize + 1)
        {
            return null;
        }

        var at = PrefixSize;
        int ivLength = blob[at++];
        if (ivLength is not (12 or 16) || blob.Length < at + ivLength + TagSize + 1)
        {
            return null;
        }

        var iv = blob.Slice(at, ivLength).ToArray();
        at += ivLength;
        var tag = blob.Slice(at, TagSize).ToArray();
        at += TagSize;
        int metadataLength = blob[at++];
        if (metadataLength > MaxMetadataSize || blob.Length < at + metadataLength + 1)
        {
            return null;
        }

        var metadata = blob.Slice(at, metadataLength).ToArray();
        at += metadataLength;
        return new ExternalCiphertextParts(keyId, iv, tag, metadata, blob[at..].ToArray());
    }
}
