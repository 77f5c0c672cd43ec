using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Citadel.Server.SigV4;

/// <summary>
/// The pieces of Signature Version 4 (AWS General Reference, "Create a signed AWS API request"):
/// canonical request, string to sign, signing key, signature.
/// </summary>
internal static class SigV4Canonical
{
    public static string CanonicalRequest(
        string method,
        string canonicalUri,
        string canonicalQuery,
        IReadOnlyList<string> signedHeaders,
        Func<string, StringValues> headerValue,
        string payloadHashHex)
    {
        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n');
        builder.Append(canonicalUri).Append('\n');
        builder.Append(canonicalQuery).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':');
            var values = headerValue(name);
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                {
                    builder.Append(',');
                }

                AppendTrimmed(builder, values[i]);
            }

            builder.Append('\n');
        }

        builder.Append('\n');
        builder.AppendJoin(';', signedHeaders).Append('\n');
        builder.Append(payloadHashHex);
        return builder.ToString();
    }

    public static string StringToSign(string amzDate, string credentialScope, string canonicalRequest) =>
        $"{AuthorizationHeader.Algorithm}\n{amzDate}\n{credentialScope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";

    public static byte[] SigningKey(ReadOnlySpan<byte> secret, string date, string region, string service)
    {
        var prefixed = new byte[4 + secret.Length];
        "AWS4"u8.CopyTo(prefixed);
        secret.CopyTo(prefixed.AsSpan(4));
        try
        {
            var key = HMACSHA256.HashData(prefixed, Encoding.UTF8.GetBytes(date));
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
            return HMACSHA256.HashData(key, "aws4_request"u8);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prefixed);
        }
    }

    public static string Signature(ReadOnlySpan<byte> signingKey, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    public static string HexSha256(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>RFC 3986 encoding as SigV4 wants it: unreserved characters kept, everything else %XX upper-case.</summary>
    public static string UriEncode(string value, bool keepSlash)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var builder = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, StringValues>> query)
    {
        var pairs = new List<(string Key, string Value)>();
        foreach (var (key, values) in query)
        {
            foreach (var value in values)
            {
                pairs.Add((UriEncode(key, false), UriEncode(value ?? "", false)));
            }
        }

        pairs.Sort((a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => $"{p.Key}={p.Value}"));
    }

    private static readonly SearchValues<char> Whitespace = SearchValues.Create(" \t");

    private static void AppendTrimmed(StringBuilder builder, string? value)
    {
        var span = (value ?? "").AsSpan().Trim();
        var previousSpace = false;
        foreach (var c in span)
        {
            if (Whitespace.Contains(c))
            {
                if (!previousSpace)
                {
                    builder.Append(' ');
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }
    }
}
