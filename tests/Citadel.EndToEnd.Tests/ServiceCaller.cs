using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Citadel.Server.SigV4;

namespace Citadel.EndToEnd.Tests;

/// <summary>
/// An integrated service calling Citadel on behalf of a caller: signs with the service's own
/// credentials and names the caller in X-Citadel-On-Behalf-Of (signed, unless told not to).
/// </summary>
public sealed class ServiceCaller(string endpoint, string accessKeyId, string secret, string region = "us-east-1")
{
    private static readonly HttpClient Http = new();

    public async Task<(int Status, JsonElement Body)> CallAsync(string operation, object request, string? onBehalfOf, bool signOnBehalfHeader = true)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request);
        var uri = new Uri(endpoint.TrimEnd('/') + "/");
        using var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        var amzDate = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/x-amz-json-1.1",
            ["host"] = uri.Authority,
            ["x-amz-date"] = amzDate,
            ["x-amz-target"] = "TrentService." + operation,
        };
        if (onBehalfOf is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Citadel-On-Behalf-Of", onBehalfOf);
            if (signOnBehalfHeader)
            {
                headers["x-citadel-on-behalf-of"] = onBehalfOf;
            }
        }

        message.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        message.Headers.TryAddWithoutValidation("X-Amz-Target", headers["x-amz-target"]);
        var names = headers.Keys.ToList();
        var canonical = SigV4Canonical.CanonicalRequest("POST", "/", "", names, n => headers[n], SigV4Canonical.HexSha256(body));
        var scope = $"{amzDate[..8]}/{region}/kms/aws4_request";
        var signature = SigV4Canonical.Signature(
            SigV4Canonical.SigningKey(Encoding.UTF8.GetBytes(secret), amzDate[..8], region, "kms"),
            SigV4Canonical.StringToSign(amzDate, scope, canonical));
        message.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', names)}, Signature={signature}");
        using var response = await Http.SendAsync(message);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return ((int)response.StatusCode, document.RootElement.Clone());
    }
}
