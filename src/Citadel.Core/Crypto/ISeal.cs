namespace Citadel.Core.Crypto;

/// <summary>
/// Holds the root key and encrypts under it. A key file in development, a PKCS#11 HSM in
/// production. Everything at rest that is secret (key material, access-key secrets) is sealed.
/// </summary>
public interface ISeal
{
    /// <summary>Encrypts <paramref name="plaintext"/> under the root key, bound to <paramref name="associatedData"/>.</summary>
    byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData);

    /// <summary>Decrypts what <see cref="Seal"/> produced. Throws <see cref="System.Security.Cryptography.AuthenticationTagMismatchException"/> when it was changed or bound to other data.</summary>
    byte[] Unseal(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData);

    /// <summary>
    /// Fills <paramref name="key"/> with a key derived from the root key for <paramref name="label"/> (HKDF-SHA256 with
    /// the label as its info): the same on every node that holds the root key, known to no one without it, and a
    /// different key for each label. For MACs over values the server hands out and takes back (LookupEvents' NextToken).
    /// </summary>
    void DeriveKey(ReadOnlySpan<byte> label, Span<byte> key);
}
