using System.Security.Cryptography;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Keys;

namespace Citadel.Server.Kms;

/// <summary>New key material for a key spec, in the form it is sealed and stored.</summary>
internal static class KeyMaterials
{
    /// <summary>SYMMETRIC_DEFAULT: a 256-bit AES key; HMAC: a key as long as the hash; key pairs: the PKCS#8 private key. The caller zeroes it.</summary>
    public static byte[] Generate(KeySpec spec) => spec switch
    {
        KeySpec.SymmetricDefault => RandomNumberGenerator.GetBytes(32),
        _ when KeySpecRules.IsHmac(spec) => RandomNumberGenerator.GetBytes(KeySpecRules.HmacKeyLength(spec)),
        _ => KeyPairs.Generate(spec),
    };
}
