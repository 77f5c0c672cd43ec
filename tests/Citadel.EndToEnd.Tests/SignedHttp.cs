using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Citadel.Server.SigV4;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// Raw requests signed with SigV4, for what the SDK will not send: malformed bodies, odd headers. Extra
/// <c>headers</c> are sent and signed; the lower-case names in <c>leftUnsigned</c> are sent but left out of SignedHeaders.
/// </summary>
public static class SignedHttp
{
    private static readonly HttpClient Http = new();

    public static async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(
        string endpoint,
        string? target,
        byte[] body,
        string accessKeyId = "test",
        string secret = "test",
        string region = "us-east-1",
        string service = "kms",
        DateTimeOffset? signedAt = null,
        bool sign = true,
        string? authorizationOverride = null,
        bool chunked = false,
        IReadOnlyDictionary<string, string>? headers = null,
        IReadOnlyCollection<string>? leftUnsigned = null,
        string contentType = "application/x-amz-json-1.1",
        CancellationToken cancellation = default)
    {
        var uri = new Uri(endpoint.TrimEnd('/') + "/");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (chunked)
        {
            // No Content-Length: the server must find the size limit while reading.
            request.Headers.TransferEncodingChunked = true;
        }

        var amzDate = (signedAt ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (authorizationOverride is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorizationOverride);
        }
        else if (sign)
        {
            var host = uri.Authority;
            var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["content-type"] = contentType,
                ["host"] = host,
                ["x-amz-date"] = amzDate,
            };
            if (target is not null)
            {
                signed["x-amz-target"] = target;
            }

            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                signed[name.ToLowerInvariant()] = value;
            }

            foreach (var name in leftUnsigned ?? [])
            {
                signed.Remove(name);
            }

            var names = signed.Keys.ToList();
            var canonical = SigV4Canonical.CanonicalRequest("POST", "/", "", names, n => signed[n], SigV4Canonical.HexSha256(body));
            var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
            var stringToSign = SigV4Canonical.StringToSign(amzDate, scope, canonical);
            var signature = SigV4Canonical.Signature(SigV4Canonical.SigningKey(Encoding.UTF8.GetBytes(secret), amzDate[..8], region, service), stringToSign);
            request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', names)}, Signature={signature}");
        }

        var response = await Http.SendAsync(request, cancellation);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellation), response);
    }

    public static Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(string endpoint, string target, string json) =>
        SendAsync(endpoint, target, Encoding.UTF8.GetBytes(json));
}
