using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Citadel.Server.SigV4;
using Microsoft.Extensions.Primitives;

namespace Citadel.Server.CustomKeyStores;

/// <summary>
/// Calls XKS proxies (AWS's XKS proxy API, version 1): POST {UriPath}/health and …/keys/{id}/metadata|encrypt|decrypt,
/// JSON bodies, signed with SigV4 for the service <c>kms-xks-proxy</c> (SignedHeaders host;x-amz-date, Appendix A) using the
/// server's own SigV4 code. TLS is verified (the system's roots, or <see cref="CustomKeyStoreOptions.TrustedCertificateAuthoritiesFile"/>),
/// and every call is bounded by <see cref="CustomKeyStoreOptions.ProxyTimeout"/>. Failures are values (<see cref="XksFailure"/>);
/// no secret — plaintext, credential — is ever in an exception or a log.
/// </summary>
internal sealed class XksClient : IDisposable
{
    private const string Service = "kms-xks-proxy";
    private const int MaxResponseBytes = 64 * 1024;
    private static readonly string[] SignedHeaders = ["host", "x-amz-date"];

    private readonly HttpClient _http;
    private readonly CustomKeyStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly X509Certificate2? _clientCertificate;

    public XksClient(CustomKeyStoreOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ProxyTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        };
        handler.SslOptions.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        if (options.TrustedCertificateAuthoritiesFile is { } file)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(file);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(roots, certificate, errors);
        }

        if (options.ClientCertificateFile is { } certificateFile && options.ClientKeyFile is { } keyFile)
        {
            // Presented only when a proxy asks (mutual TLS); the handler owns it for the client's lifetime.
            var clientCertificate = _clientCertificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate;
        }

        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = MaxResponseBytes };
    }

    public void Dispose()
    {
        _http.Dispose();
        _clientCertificate?.Dispose();
    }

    /// <summary>GetHealthStatus: succeeds when the proxy answers and at least one external key manager is not UNAVAILABLE.</summary>
    public async Task<XksResult<bool>> HealthAsync(XksTarget target, XksRequestMetadata metadata, CancellationToken ct)
    {
        var call = await CallAsync(target, "/health", metadata, null, ct);
        if (!call.IsSuccess)
        {
            return new(false, call.Failure, call.HttpStatus);
        }

        using var document = call.Value!;
        var root = document.RootElement;
        if (!root.TryGetProperty("ekmFleetDetails", out var fleet) || fleet.ValueKind != JsonValueKind.Array || fleet.GetArrayLength() == 0)
        {
            return new(false, XksFailure.MalformedResponse, call.HttpStatus);
        }

        foreach (var manager in fleet.EnumerateArray())
        {
            if (manager.ValueKind == JsonValueKind.Object && manager.TryGetProperty("healthStatus", out var status) && status.ValueKind == JsonValueKind.String
                && status.GetString() is "ACTIVE" or "DEGRADED")
            {
                return new(true, XksFailure.None, call.HttpStatus);
            }
        }

        return new(false, XksFailure.KeyManagerUnavailable, call.HttpStatus);
    }

    public async Task<XksResult<XksKeyMetadata>> GetKeyMetadataAsync(XksTarget target, string xksKeyId, XksRequestMetadata metadata, CancellationToken ct)
    {
        var call = await CallAsync(target, $"/keys/{xksKeyId}/metadata", metadata, null, ct);
        if (!call.IsSuccess)
        {
            return new(null, call.Failure, call.HttpStatus);
        }

        using var document = call.Value!;
        var root = document.RootElement;
        if (String(root, "keySpec") is not { } spec || String(root, "keyStatus") is not { } status
            || !root.TryGetProperty("keyUsage", out var usage) || usage.ValueKind != JsonValueKind.Array)
        {
            return new(null, XksFailure.MalformedResponse, call.HttpStatus);
        }

        var usages = new List<string>();
        foreach (var item in usage.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                usages.Add(item.GetString()!);
            }
        }

        return new(new XksKeyMetadata(spec, usages, status), XksFailure.None, call.HttpStatus);
    }

    /// <summary>Encrypt with AES_GCM and the given AAD, asking for the SHA-256 ciphertext data integrity value.</summary>
    public async Task<XksResult<XksEncryptOutput>> EncryptAsync(XksTarget target, string xksKeyId, XksRequestMetadata metadata, byte[] plaintext, byte[] aad, CancellationToken ct)
    {
        var call = await CallAsync(target, $"/keys/{xksKeyId}/encrypt", metadata, json =>
        {
            json.WriteBase64String("plaintext"u8, plaintext);
            json.WriteString("encryptionAlgorithm"u8, "AES_GCM"u8);
            json.WriteBase64String("additionalAuthenticatedData"u8, aad);
            json.WriteString("ciphertextDataIntegrityValueAlgorithm"u8, "SHA_256"u8);
        }, ct);
        if (!call.IsSuccess)
        {
            return new(null, call.Failure, call.HttpStatus);
        }

        using var document = call.Value!;
        var root = document.RootElement;
        if (Bytes(root, "ciphertext") is not { } ciphertext || Bytes(root, "initializationVector") is not { } iv || Bytes(root, "authenticationTag") is not { } tag)
        {
            return new(null, XksFailure.MalformedResponse, call.HttpStatus);
        }

        var hasMetadata = root.TryGetProperty("ciphertextMetadata", out _);
        var ciphertextMetadata = hasMetadata ? Bytes(root, "ciphertextMetadata") : [];
        if (ciphertextMetadata is null)
        {
            return new(null, XksFailure.MalformedResponse, call.HttpStatus);
        }

        return new(new XksEncryptOutput(ciphertext, iv, tag, ciphertextMetadata, Bytes(root, "ciphertextDataIntegrityValue")), XksFailure.None, call.HttpStatus);
    }

    /// <summary>Decrypt; the caller wipes the plaintext.</summary>
    public async Task<XksResult<byte[]>> DecryptAsync(XksTarget target, string xksKeyId, XksRequestMetadata metadata, Core.Crypto.ExternalCiphertextParts parts, byte[] aad, CancellationToken ct)
    {
        var call = await CallAsync(target, $"/keys/{xksKeyId}/decrypt", metadata, json =>
        {
            json.WriteBase64String("ciphertext"u8, parts.Ciphertext);
            if (parts.CiphertextMetadata.Length > 0)
            {
                json.WriteBase64String("ciphertextMetadata"u8, parts.CiphertextMetadata);
            }

            json.WriteString("encryptionAlgorithm"u8, "AES_GCM"u8);
            json.WriteBase64String("additionalAuthenticatedData"u8, aad);
            json.WriteBase64String("authenticationTag"u8, parts.AuthenticationTag);
            json.WriteBase64String("initializationVector"u8, parts.InitializationVector);
        }, ct);
        if (!call.IsSuccess)
        {
            return new(null, call.Failure, call.HttpStatus);
        }

        using var document = call.Value!;
        return Bytes(document.RootElement, "plaintext") is { } plaintext
            ? new(plaintext, XksFailure.None, call.HttpStatus)
            : new(null, XksFailure.MalformedResponse, call.HttpStatus);
    }

    /// <summary>The proxy's URI of an operation: the endpoint (with <see cref="CustomKeyStoreOptions.ProxyPort"/> when not 443), the path, the operation.</summary>
    internal Uri OperationUri(XksTarget target, string operation) =>
        new(_options.ProxyPort == 443
            ? target.UriEndpoint + target.UriPath + operation
            : string.Create(CultureInfo.InvariantCulture, $"{target.UriEndpoint}:{_options.ProxyPort}{target.UriPath}{operation}"));

    private async Task<XksResult<JsonDocument>> CallAsync(XksTarget target, string operation, XksRequestMetadata metadata, Action<Utf8JsonWriter>? members, CancellationToken ct)
    {
        var body = Body(metadata, members);
        var uri = OperationUri(target, operation);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        Sign(request, target, uri, body);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ProxyTimeout);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            var status = (int)response.StatusCode;
            var document = TryParse(bytes);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return document is { RootElement.ValueKind: JsonValueKind.Object }
                    ? new(document, XksFailure.None, status)
                    : Fail(document, XksFailure.MalformedResponse, status);
            }

            var failure = document is not null && String(document.RootElement, "errorName") is { } name && Enum.TryParse<XksFailure>(name, out var named)
                && named is > XksFailure.None and <= XksFailure.InternalException
                ? named
                : XksFailure.MalformedResponse;
            return Fail(document, failure, status);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new(null, XksFailure.TimedOut, 0);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            return new(null, XksFailure.TlsFailed, 0);
        }
        catch (HttpRequestException exception) when (exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return new(null, XksFailure.Unreachable, 0);
        }
        catch (HttpRequestException)
        {
            // Anything else on the wire (a reset mid-answer, an over-long response): not an answer the API describes.
            return new(null, XksFailure.MalformedResponse, 0);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(body);
        }
    }

    private static XksResult<JsonDocument> Fail(JsonDocument? document, XksFailure failure, int status)
    {
        document?.Dispose();
        return new(null, failure, status);
    }

    private void Sign(HttpRequestMessage request, XksTarget target, Uri uri, byte[] body)
    {
        var now = _time.GetUtcNow();
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var host = uri.IsDefaultPort ? uri.Host : uri.Authority;
        var canonical = SigV4Canonical.CanonicalRequest("POST", uri.AbsolutePath, "", SignedHeaders, name => name == "host" ? new StringValues(host) : new StringValues(amzDate), SigV4Canonical.HexSha256(body));
        var scope = $"{date}/{target.Region}/{Service}/aws4_request";
        var signingKey = SigV4Canonical.SigningKey(target.Secret, date, target.Region, Service);
        try
        {
            var signature = SigV4Canonical.Signature(signingKey, SigV4Canonical.StringToSign(amzDate, scope, canonical));
            request.Headers.TryAddWithoutValidation("Authorization", $"{AuthorizationHeader.Algorithm} Credential={target.AccessKeyId}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}");
            request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(signingKey);
        }
    }

    private static byte[] Body(XksRequestMetadata metadata, Action<Utf8JsonWriter>? members)
    {
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("requestMetadata"u8);
            if (metadata.AwsPrincipalArn is { } principal)
            {
                json.WriteString("awsPrincipalArn"u8, principal);
            }

            if (metadata.KmsKeyArn is { } keyArn)
            {
                json.WriteString("kmsKeyArn"u8, keyArn);
            }

            json.WriteString("kmsOperation"u8, metadata.KmsOperation);
            json.WriteString("kmsRequestId"u8, metadata.KmsRequestId);
            json.WriteEndObject();
            members?.Invoke(json);
            json.WriteEndObject();
        }

        // The body may hold plaintext: the stream's buffer is wiped, and the caller wipes the copy.
        var body = buffer.ToArray();
        CryptographicOperations.ZeroMemory(buffer.GetBuffer());
        return body;
    }

    private static JsonDocument? TryParse(byte[] bytes)
    {
        try
        {
            return bytes.Length == 0 ? null : JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[]? Bytes(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out var bytes) ? bytes : null;

    private static bool TrustedBy(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
