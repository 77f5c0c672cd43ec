using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Citadel.Core.Keys;

namespace Citadel.Core.Grants;

/// <summary>
/// Grant ids (64 lower-case hex characters, like AWS's) and grant tokens. A token names its key and
/// grant; grants take effect at once here, so a token is only checked for being well formed.
/// </summary>
public static class GrantTokens
{
    private const string Prefix = "citadel-grant-v1";

    public static string NewGrantId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static bool IsGrantId(string? id) => id is { Length: 64 } && id.All(char.IsAsciiHexDigitLower);

    public static string Create(KeyId key, string grantId) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Prefix}:{key}:{grantId}"));

    public static bool TryParse(string? token, out KeyId key, out string grantId)
    {
        key = default;
        grantId = "";
        if (string.IsNullOrEmpty(token) || token.Length > 8192)
        {
            return false;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length != 3 || parts[0] != Prefix || !KeyId.TryParse(parts[1], out key) || !IsGrantId(parts[2]))
        {
            return false;
        }

        grantId = parts[2];
        return true;
    }
}
