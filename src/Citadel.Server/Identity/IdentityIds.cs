using System.Security.Cryptography;

namespace Citadel.Server.Identity;

/// <summary>New identifiers and secrets in AWS's shapes: AKIA… access key ids, 40-character secrets, AIDA…/AROA… unique ids.</summary>
internal static class IdentityIds
{
    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private const string SecretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public static string NewAccessKeyId() => "AKIA" + Random(IdAlphabet, 16);

    public static string NewSecret() => Random(SecretAlphabet, 40);

    /// <summary>A unique id with its type's prefix (AIDA users, AROA roles, AIDS services), 21 characters as AWS's.</summary>
    public static string NewPrincipalId(string prefix) => prefix + Random(IdAlphabet, 17);

    /// <summary><paramref name="length"/> characters drawn uniformly from <paramref name="alphabet"/> by the system CSPRNG.</summary>
    public static string Random(string alphabet, int length) =>
        string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
}
