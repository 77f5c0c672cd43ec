using System.Globalization;
using System.Net;
using System.Text;
using Citadel.Server.SigV4;
using Microsoft.AspNetCore.Http;

namespace Citadel.Bench;

/// <summary>An AWS JSON 1.1 request signed as the AWS SDK signs it, ready to be put on a <see cref="DefaultHttpContext"/>.</summary>
internal sealed class SignedRequest
{
    private static readonly string[] SignedHeaderNames = ["content-type", "host", "x-amz-date", "x-amz-target"];

    private SignedRequest(string target, byte[] body, Dictionary<string, string> headers)
    {
        Target = target;
        Body = body;
        Headers = headers;
    }

    public string Target { get; }

    public byte[] Body { get; }

    public Dictionary<string, string> Headers { get; }

    /// <summary>Signs with the development credentials (test/test) for kms in us-east-1, at the current time.</summary>
    public static SignedRequest Create(string operation, string body, string accessKeyId = "test", string secret = "test", string region = "us-east-1")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var amzDate = DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = "localhost",
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = $"TrentService.{operation}",
        };
        var canonical = SigV4Canonical.CanonicalRequest("POST", "/", "", SignedHeaderNames, name => headers[name], SigV4Canonical.HexSha256(bytes));
        var scope = $"{amzDate[..8]}/{region}/kms/aws4_request";
        var stringToSign = SigV4Canonical.StringToSign(amzDate, scope, canonical);
        var signature = SigV4Canonical.Signature(SigV4Canonical.SigningKey(Encoding.UTF8.GetBytes(secret), amzDate[..8], region, "kms"), stringToSign);
        headers["authorization"] = $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', SignedHeaderNames)}, Signature={signature}";
        headers["user-agent"] = "aws-sdk-dotnet-coreclr/4.0 ua/2.1 os/linux lang/.NET_Core#10.0 md/aws-sdk-dotnet-core#4.0 api/KMS#4.0";
        return new SignedRequest($"TrentService.{operation}", bytes, headers);
    }

    /// <summary>A new context as Kestrel would hand it over: headers, the body as a stream, a response body.</summary>
    public DefaultHttpContext ToHttpContext(Stream responseBody)
    {
        var http = new DefaultHttpContext();
        var request = http.Request;
        request.Method = "POST";
        request.Scheme = "http";
        request.Path = "/";
        foreach (var (name, value) in Headers)
        {
            request.Headers[name] = value;
        }

        request.ContentLength = Body.Length;
        request.Body = new MemoryStream(Body, writable: false);
        http.Response.Body = responseBody;
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        return http;
    }
}
