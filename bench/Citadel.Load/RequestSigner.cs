using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Citadel.Load;

/// <summary>
/// Pre-signs AWS JSON 1.1 requests with Signature Version 4 into complete HTTP/1.1 request bytes
/// that wrk sends as they are. Written independently of the server's verifier, so a bug on one
/// side is not mirrored on the other. Signatures stay valid for the server's clock skew (5 minutes).
/// </summary>
internal sealed class RequestSigner(string host, string accessKeyId, string secret, string region)
{
    private const string ContentType = "application/x-amz-json-1.1";
    private byte[]? _signingKey;
    private string _signingDate = "";

    public byte[] Sign(string target, string body, DateTimeOffset now)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var canonical = string.Create(CultureInfo.InvariantCulture,
            $"POST\n/\n\ncontent-type:{ContentType}\nhost:{host}\nx-amz-date:{amzDate}\nx-amz-target:{target}\n\ncontent-type;host;x-amz-date;x-amz-target\n{Hex(SHA256.HashData(bodyBytes))}");
        var scope = $"{date}/{region}/kms/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(date), Encoding.UTF8.GetBytes(stringToSign)));
        var head = string.Create(CultureInfo.InvariantCulture,
            $"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: {ContentType}\r\nX-Amz-Target: {target}\r\nX-Amz-Date: {amzDate}\r\n"
            + $"Authorization: AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={signature}\r\n"
            + $"User-Agent: citadel-load/1.0\r\nContent-Length: {bodyBytes.Length}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head), .. bodyBytes];
    }

    /// <summary>The unsigned reference request: GET /_citadel/ping, answered with an empty 200.</summary>
    public byte[] Ping() => Encoding.ASCII.GetBytes($"GET /_citadel/ping HTTP/1.1\r\nHost: {host}\r\nUser-Agent: citadel-load/1.0\r\n\r\n");

    private byte[] SigningKey(string date)
    {
        if (_signingKey is not null && _signingDate == date)
        {
            return _signingKey;
        }

        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, "kms"u8);
        _signingKey = HMACSHA256.HashData(key, "aws4_request"u8);
        _signingDate = date;
        return _signingKey;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
