using System.Security.Cryptography;
using Citadel.Core.Keys;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Citadel.Core.Crypto;

/// <summary>
/// HMAC (RFC 2104) for GenerateMac and VerifyMac. SHA-256/384/512 through .NET; HMAC-SHA-224
/// through BouncyCastle, since .NET has no SHA-224.
/// </summary>
public static class Hmacs
{
    public static byte[] Compute(MacAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        switch (algorithm)
        {
            case MacAlgorithm.HmacSha256:
                return HMACSHA256.HashData(key, message);
            case MacAlgorithm.HmacSha384:
                return HMACSHA384.HashData(key, message);
            case MacAlgorithm.HmacSha512:
                return HMACSHA512.HashData(key, message);
            case MacAlgorithm.HmacSha224:
                {
                    var hmac = new HMac(new Sha224Digest());
                    var keyCopy = key.ToArray();
                    try
                    {
                        hmac.Init(new KeyParameter(keyCopy));
                        hmac.BlockUpdate(message);
                        var mac = new byte[hmac.GetMacSize()];
                        hmac.DoFinal(mac);
                        return mac;
                    }
                    finally
                    {
                        CryptographicOperations.ZeroMemory(keyCopy);
                    }
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm));
        }
    }

    /// <summary>Compares in constant time.</summary>
    public static bool Verify(MacAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message, ReadOnlySpan<byte> mac) =>
        CryptographicOperations.FixedTimeEquals(Compute(algorithm, key, message), mac);
}
