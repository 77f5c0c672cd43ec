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
        var builder = new Utf8Builder(512);
        try
        {
            WriteCanonicalRequest(ref builder, method, canonicalUri, canonicalQuery, signedHeaders, headerValue, static (lookup, name) => lookup(name), payloadHashHex);
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>Writes the canonical request as the UTF-8 bytes that are hashed into the string to sign.</summary>
    public static void WriteCanonicalRequest<THeaders>(
        ref Utf8Builder builder,
        string method,
        string canonicalUri,
        string canonicalQuery,
        IReadOnlyList<string> signedHeaders,
        THeaders headers,
        Func<THeaders, string, StringValues> headerValue,
        scoped ReadOnlySpan<char> payloadHashHex)
    {
        builder.Append(method);
        builder.Append((byte)'\n');
        builder.Append(canonicalUri);
        builder.Append((byte)'\n');
        builder.Append(canonicalQuery);
        builder.Append((byte)'\n');
        for (var i = 0; i < signedHeaders.Count; i++)
        {
            builder.Append(signedHeaders[i]);
            builder.Append((byte)':');
            var values = headerValue(headers, signedHeaders[i]);
            for (var j = 0; j < values.Count; j++)
            {
                if (j > 0)
                {
                    builder.Append((byte)',');
                }

                AppendTrimmed(ref builder, values[j]);
            }

            builder.Append((byte)'\n');
        }

        builder.Append((byte)'\n');
        for (var i = 0; i < signedHeaders.Count; i++)
        {
            if (i > 0)
            {
                builder.Append((byte)';');
            }

            builder.Append(signedHeaders[i]);
        }

        builder.Append((byte)'\n');
        builder.Append(payloadHashHex);
    }

    public static string StringToSign(string amzDate, string credentialScope, string canonicalRequest)
    {
        var builder = new Utf8Builder(256);
        try
        {
            WriteStringToSign(ref builder, amzDate, credentialScope, Encoding.UTF8.GetBytes(canonicalRequest));
            return builder.ToString();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>Writes the string to sign for a canonical request given as UTF-8 bytes.</summary>
    public static void WriteStringToSign(ref Utf8Builder builder, scoped ReadOnlySpan<char> amzDate, scoped ReadOnlySpan<char> credentialScope, scoped ReadOnlySpan<byte> canonicalRequest)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(canonicalRequest, hash);
        builder.Append(AuthorizationHeader.Algorithm);
        builder.Append((byte)'\n');
        builder.Append(amzDate);
        builder.Append((byte)'\n');
        builder.Append(credentialScope);
        builder.Append((byte)'\n');
        builder.AppendHexLower(hash);
    }

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

    /// <summary>The value without leading and trailing white space, and each run of spaces and tabs inside as one space.</summary>
    private static void AppendTrimmed(ref Utf8Builder builder, string? value)
    {
        var rest = (value ?? "").AsSpan().Trim();
        while (true)
        {
            var space = rest.IndexOfAny(Whitespace);
            if (space < 0)
            {
                builder.Append(rest);
                return;
            }

            builder.Append(rest[..space]);
            builder.Append((byte)' ');
            rest = rest[space..];
            rest = rest[rest.IndexOfAnyExcept(Whitespace)..];
        }
    }
}
