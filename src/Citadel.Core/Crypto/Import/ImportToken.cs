using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Core.Crypto.Import;

/// <summary>What an import token carries: the wrapping algorithm, the wrapping private key (PKCS#8; the caller zeroes it) and its expiry.</summary>
public sealed record OpenedImportToken(WrappingAlgorithm Algorithm, int WrappingKeyBits, DateTimeOffset ValidTo, byte[] WrappingPrivateKey);

/// <summary>
/// The import token of GetParametersForImport. It is self-contained, so no server keeps state per
/// token and any node can accept it: the wrapping private key sealed under the root key, bound as
/// associated data to the KMS key ARN, the algorithm, the wrapping key size and the expiry.
/// <code>
/// version (1) = 0x01 | algorithm (1) | wrapping key bits / 8 (2, big-endian) | valid-to, Unix ms (8, big-endian) | sealed PKCS#8 (n)
/// </code>
/// A token for another key, or changed in any byte, fails to unseal (InvalidImportTokenException);
/// a genuine token past its time is ExpiredImportTokenException.
/// </summary>
public static class ImportToken
{
    /// <summary>Each public key and import token set is valid for 24 hours (GetParametersForImport API reference).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private const byte FormatVersion = 1;
    private const int HeaderSize = 1 + 1 + 2 + 8;

    public static byte[] Create(ISeal seal, string keyArn, WrappingAlgorithm algorithm, int wrappingKeyBits, DateTimeOffset validTo, ReadOnlySpan<byte> wrappingPrivateKey)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        header[0] = FormatVersion;
        header[1] = (byte)algorithm;
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(wrappingKeyBits / 8));
        BinaryPrimitives.WriteInt64BigEndian(header[4..], validTo.ToUnixTimeMilliseconds());
        var sealedKey = seal.Seal(wrappingPrivateKey, AssociatedData(keyArn, header));
        return [.. header, .. sealedKey];
    }

    public static Result<OpenedImportToken> Open(ISeal seal, string keyArn, ReadOnlySpan<byte> token, DateTimeOffset now)
    {
        if (token.Length <= HeaderSize || token[0] != FormatVersion || !Enum.IsDefined((WrappingAlgorithm)token[1]))
        {
            return Invalid();
        }

        byte[] privateKey;
        try
        {
            privateKey = seal.Unseal(token[HeaderSize..], AssociatedData(keyArn, token[..HeaderSize]));
        }
        catch (CryptographicException)
        {
            return Invalid();
        }

        var validTo = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(token[4..]));
        if (now >= validTo)
        {
            CryptographicOperations.ZeroMemory(privateKey);
            return new KmsError(
                KmsErrorCode.ExpiredImportToken,
                "The request was rejected because the specified import token is expired. Use GetParametersForImport to get a new import token and public key, use the new public key to encrypt the key material, and then try the request again.");
        }

        return new OpenedImportToken((WrappingAlgorithm)token[1], BinaryPrimitives.ReadUInt16BigEndian(token[2..]) * 8, validTo, privateKey);
    }

    private static KmsError Invalid() => new(
        KmsErrorCode.InvalidImportToken,
        "The request was rejected because the provided import token is invalid or is associated with a different KMS key.");

    private static byte[] AssociatedData(string keyArn, ReadOnlySpan<byte> header) =>
        Encoding.UTF8.GetBytes($"citadel/import-token/v1\n{keyArn}\n{Convert.ToHexStringLower(header)}");
}
