using System.Security.Cryptography;
using Citadel.Core.Keys;

namespace Citadel.Core.Crypto.Asymmetric;

/// <summary>
/// ECDH as DeriveSharedSecret does it: the Elliptic Curve Cryptography Cofactor Diffie-Hellman
/// primitive (NIST SP 800-56A §5.7.1.2; the NIST curves have cofactor 1), returning the raw shared
/// secret, the x-coordinate of the shared point, with no key derivation applied.
/// </summary>
public static class KeyAgreement
{
    /// <summary>The raw shared secret (the caller wipes it), or null when the peer key is not a valid public key on the key's curve.</summary>
    public static byte[]? DeriveSharedSecret(KeySpec spec, ReadOnlySpan<byte> pkcs8, ReadOnlySpan<byte> peerSpki)
    {
        using var peer = ECDiffieHellman.Create();
        try
        {
            peer.ImportSubjectPublicKeyInfo(peerSpki, out var read);
            if (read != peerSpki.Length || peer.ExportParameters(false).Curve.Oid?.Value != KeyPairs.Curve(spec).Oid.Value)
            {
                return null;
            }
        }
        catch (Exception exception) when (exception is CryptographicException or PlatformNotSupportedException)
        {
            // A named curve .NET does not know (any OID can be written into a SubjectPublicKeyInfo) is PlatformNotSupportedException.
            return null;
        }

        using var own = ECDiffieHellman.Create();
        own.ImportPkcs8PrivateKey(pkcs8, out _);
        return own.DeriveRawSecretAgreement(peer.PublicKey);
    }
}
