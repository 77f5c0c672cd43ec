using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Citadel.Server.SigV4;

namespace Citadel.EndToEnd.Tests.Xks;

/// <summary>An XKS proxy API answer: the status, the parsed body (null when it is not JSON) and the raw text.</summary>
public sealed record XksAnswer(int Status, JsonElement? Json, string Text)
{
    public string? ErrorName => Json is { } json && json.TryGetProperty("errorName", out var name) ? name.GetString() : null;

    public byte[] Bytes(string member) => Convert.FromBase64String(Json!.Value.GetProperty(member).GetString()!);

    public string Member(string member) => Json!.Value.GetProperty(member).GetString()!;
}

/// <summary>
/// XKS proxy API requests signed as AWS KMS signs them (the specification's Appendix A): POST, JSON, SigV4 with the
/// service kms-xks-proxy over host;x-amz-date only (Content-Type is sent unsigned).
/// </summary>
public static class XksHttp
{
    private static readonly HttpClient Http = new();

    public static async Task<XksAnswer> SendAsync(
        string endpoint,
        string path,
        string body,
        string accessKeyId,
        string secret,
        string service = "kms-xks-proxy",
        DateTimeOffset? signedAt = null,
        string region = "us-east-1",
        HttpMethod? method = null,
        string? signedBody = null,
        string? signedPath = null,
        HttpClient? client = null)
    {
        var uri = new Uri(endpoint.TrimEnd('/') + path);
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, uri);
        if (method is null || method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        var amzDate = (signedAt ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = uri.Authority, ["x-amz-date"] = amzDate };
        var names = signed.Keys.ToList();
        var canonical = SigV4Canonical.CanonicalRequest((method ?? HttpMethod.Post).Method, signedPath ?? path, "", names, n => signed[n], SigV4Canonical.HexSha256(Encoding.UTF8.GetBytes(signedBody ?? body)));
        var scope = $"{amzDate[..8]}/{region}/{service}/aws4_request";
        var signature = SigV4Canonical.Signature(SigV4Canonical.SigningKey(Encoding.UTF8.GetBytes(secret), amzDate[..8], region, service), SigV4Canonical.StringToSign(amzDate, scope, canonical));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKeyId}/{scope}, SignedHeaders={string.Join(';', names)}, Signature={signature}");
        using var response = await (client ?? Http).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonElement? json = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON: the test looks at the status and text.
        }

        return new XksAnswer((int)response.StatusCode, json, text);
    }

    /// <summary>Asserts an error answer: its status and errorName.</summary>
    public static void AssertError(XksAnswer answer, int status, string errorName)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal(errorName, answer.ErrorName);
    }

    /// <summary>requestMetadata as AWS KMS sends it for an operation on a key.</summary>
    public static string Metadata(string kmsOperation = "Encrypt", string principal = "arn:aws:iam::123456789012:user/Alice") =>
        $$"""
        "requestMetadata": {"awsPrincipalArn": "{{principal}}", "kmsKeyArn": "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "kmsOperation": "{{kmsOperation}}", "kmsRequestId": "{{Guid.NewGuid()}}", "kmsViaService": "ebs"}
        """;

    public static string EncryptBody(byte[] plaintext, byte[]? aad = null, bool integrity = false, string kmsOperation = "Encrypt", string principal = "arn:aws:iam::123456789012:user/Alice") =>
        "{" + Metadata(kmsOperation, principal)
        + (aad is null ? "" : $", \"additionalAuthenticatedData\": \"{Convert.ToBase64String(aad)}\"")
        + $", \"plaintext\": \"{Convert.ToBase64String(plaintext)}\", \"encryptionAlgorithm\": \"AES_GCM\""
        + (integrity ? ", \"ciphertextDataIntegrityValueAlgorithm\": \"SHA_256\"" : "") + "}";

    public static string DecryptBody(byte[] ciphertext, byte[] iv, byte[] tag, byte[]? metadata, byte[]? aad = null, string kmsOperation = "Decrypt") =>
        "{" + Metadata(kmsOperation)
        + (aad is null ? "" : $", \"additionalAuthenticatedData\": \"{Convert.ToBase64String(aad)}\"")
        + $", \"ciphertext\": \"{Convert.ToBase64String(ciphertext)}\", \"initializationVector\": \"{Convert.ToBase64String(iv)}\", \"authenticationTag\": \"{Convert.ToBase64String(tag)}\""
        + (metadata is null ? "" : $", \"ciphertextMetadata\": \"{Convert.ToBase64String(metadata)}\"")
        + ", \"encryptionAlgorithm\": \"AES_GCM\"}";

    /// <summary>The decrypt body for what an encrypt answered, with the same AAD unless another is given.</summary>
    public static string DecryptBodyFor(XksAnswer encrypted, byte[]? aad) =>
        DecryptBody(encrypted.Bytes("ciphertext"), encrypted.Bytes("initializationVector"), encrypted.Bytes("authenticationTag"), encrypted.Bytes("ciphertextMetadata"), aad);
}
