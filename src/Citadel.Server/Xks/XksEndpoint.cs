using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Core.Policies;
using Citadel.Server.Audit;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Xks;

/// <summary>
/// The AWS KMS External Key Store (XKS) Proxy API, version 1 (github.com/aws/aws-kms-xksproxy-api-spec):
/// <c>POST {uriPrefix}/kms/xks/v1/health</c> and <c>…/keys/{externalKeyId}/metadata|encrypt|decrypt</c>. Every call,
/// in this order: POST only (405), the path's shape (InvalidUriPathException), a TLS client certificate when mutual TLS
/// is on (AuthenticationFailedException), the body (bounded), SigV4 with the
/// service kms-xks-proxy by a logical store's credential (AuthenticationFailedException), the path's prefix that
/// store's (InvalidUriPathException), the JSON and requestMetadata (ValidationException), the external key the store
/// allows (KeyNotFoundException), the key policy and the store's identity policy with the request metadata as
/// condition keys (AccessDeniedException), the key state (InvalidStateException), the store's usage of the key
/// (InvalidKeyUsageException), then the operation; one audit event records it.
/// </summary>
internal sealed class XksEndpoint(SigV4Verifier verifier, XksDirectory stores, KmsRuntime kms, AuditWriter audit, TimeProvider wallClock, ILogger<XksEndpoint> logger)
{
    /// <summary>
    /// The largest request body: an Encrypt of <see cref="MaxPlaintextBytes"/> with <see cref="MaxAadBytes"/> of AAD and
    /// requestMetadata of 2048-character ARNs is under 30 KiB in Base64 and JSON.
    /// </summary>
    public const int MaxRequestBodyBytes = 64 * 1024;

    /// <summary>The largest plaintext or ciphertext; the specification asks for 4300 bytes at least.</summary>
    public const int MaxPlaintextBytes = 8192;

    /// <summary>The largest AAD; the specification asks for 8192 bytes.</summary>
    public const int MaxAadBytes = 8192;

    /// <summary>The longest requestMetadata value: the specification's ARN length.</summary>
    public const int MaxMetadataLength = 2048;

    /// <summary>The eventSource of XKS proxy calls in the audit trail: the SigV4 service they are signed for.</summary>
    public const string EventSource = XksNames.SigningService;

    /// <summary>Mutual TLS (xks.mutualTls): when set, a request over a connection without a client certificate is refused before SigV4.</summary>
    public XksClientCertificates? ClientCertificates { get; init; }

    private static readonly string Version = typeof(XksEndpoint).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    /// <summary>Whether a request is for the XKS proxy API: its path has /kms/xks/ in it.</summary>
    public static bool IsXksPath(PathString path) => path.Value is { } value && value.Contains("/kms/xks/", StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext http)
    {
        var call = new XksCall(Guid.NewGuid().ToString("D"), http);
        http.Response.Headers["x-amzn-RequestId"] = call.RequestId;
        byte[]? rented = null;
        var recorded = false;
        try
        {
            if (!HttpMethods.IsPost(http.Request.Method))
            {
                http.Response.Headers.Allow = "POST";
                await WriteErrorAsync(http.Response, new XksError("ValidationException", 405, "The XKS proxy API takes POST requests only."));
                return;
            }

            if (!TryParsePath(http.Request.Path.Value!, call))
            {
                await WriteErrorAsync(http.Response, XksError.InvalidUriPath());
                return;
            }

            // The handshake refused certificates from other CAs or with other names; here, connections without one.
            if (ClientCertificates is not null && http.Connection.ClientCertificate is null)
            {
                var refused = XksError.AuthenticationFailed("This XKS proxy requires a TLS client certificate (mutual TLS) from its configured certificate authority; the connection presented none.");
                recorded = true;
                await RecordAsync(call, refused);
                await WriteErrorAsync(http.Response, refused);
                return;
            }

            (rented, var length, var tooLarge) = await RequestBody.ReadAsync(http.Request.BodyReader, http.Request.ContentLength, MaxRequestBodyBytes, http.RequestAborted);
            if (tooLarge)
            {
                await WriteErrorAsync(http.Response, XksError.Validation($"The request body is larger than {MaxRequestBodyBytes} bytes."));
                return;
            }

            var body = rented is null ? ReadOnlyMemory<byte>.Empty : rented.AsMemory(0, length);
            var error = await AuthenticateAsync(http, body, call);
            if (error is null)
            {
                error = await RunAsync(http, body, call);
            }

            recorded = true;
            await RecordAsync(call, error);

            if (error is { } failure)
            {
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    logger.XksRequestRefused(call.RequestId, call.Operation, call.Principal?.Arn ?? "unknown", failure.Name);
                }

                await WriteErrorAsync(http.Response, failure);
                return;
            }

            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/json";
            await http.Response.BodyWriter.WriteAsync(call.Output.WrittenMemory, http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; there is no one to answer.
        }
        catch (BadHttpRequestException) when (!http.Response.HasStarted)
        {
            await WriteErrorAsync(http.Response, XksError.Validation("The request body could not be read."));
        }
        catch (Exception exception)
        {
            logger.XksRequestFailed(exception, call.RequestId, call.Operation);
            var failure = XksError.Internal(call.RequestId);
            if (!recorded && call.Operation != default)
            {
                try
                {
                    await RecordAsync(call, failure);
                }
                catch (Exception auditException)
                {
                    logger.XksAuditUnavailable(call.RequestId, call.Operation, auditException.Message);
                }
            }

            if (!http.Response.HasStarted)
            {
                http.Response.Clear();
                http.Response.Headers["x-amzn-RequestId"] = call.RequestId;
                await WriteErrorAsync(http.Response, failure);
            }
        }
        finally
        {
            call.Wipe();
            if (rented is not null)
            {
                CryptographicOperations.ZeroMemory(rented.AsSpan(0, Math.Min(rented.Length, MaxRequestBodyBytes)));
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>{prefix}/kms/xks/v1/health or {prefix}/kms/xks/v1/keys/{externalKeyId}/{metadata|encrypt|decrypt}.</summary>
    internal static bool TryParsePath(string path, XksCall call)
    {
        const string keysMarker = XksNames.ApiPath + "/keys/";
        if (path.EndsWith(XksNames.ApiPath + "/health", StringComparison.Ordinal))
        {
            call.Operation = XksOperation.GetHealthStatus;
            call.UriPrefix = path[..^(XksNames.ApiPath.Length + 7)];
            return true;
        }

        var last = path.LastIndexOf('/');
        var keyStart = path.LastIndexOf('/', Math.Max(last - 1, 0)) + 1;
        if (last <= 0 || keyStart <= keysMarker.Length - 1 || !path.AsSpan(0, keyStart).EndsWith(keysMarker, StringComparison.Ordinal))
        {
            return false;
        }

        call.Operation = path.AsSpan(last + 1) switch
        {
            "metadata" => XksOperation.GetKeyMetadata,
            "encrypt" => XksOperation.Encrypt,
            "decrypt" => XksOperation.Decrypt,
            _ => default,
        };
        call.ExternalKeyId = path[keyStart..last];
        call.UriPrefix = path[..(keyStart - keysMarker.Length)];
        return call.Operation != default && call.ExternalKeyId.Length > 0;
    }

    private async ValueTask<XksError?> AuthenticateAsync(HttpContext http, ReadOnlyMemory<byte> body, XksCall call)
    {
        var auth = await verifier.VerifyAsync(http.Request, body, XksNames.SigningService, http.RequestAborted);
        call.Principal = auth.Principal;
        call.AccessKeyId = auth.AccessKeyId;
        call.Region = auth.Region ?? "";
        if (auth.Error is { } error)
        {
            return XksError.AuthenticationFailed(Printable(error.Message));
        }

        call.Store = await stores.FindAsync(auth.Principal!.Arn, http.RequestAborted);
        if (call.Store is null)
        {
            return XksError.AuthenticationFailed("The access key id is not a credential of an XKS key store.");
        }

        // A credential of another store is told what an unknown prefix is told: that store is none of its business.
        return call.Store.UriPrefix == call.UriPrefix ? null : XksError.InvalidUriPath();
    }

    private async ValueTask<XksError?> RunAsync(HttpContext http, ReadOnlyMemory<byte> body, XksCall call)
    {
        XksRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(body.Span, XksJsonContext.Default.XksRequest);
        }
        catch (JsonException)
        {
            return XksError.Validation("The request body is not a JSON object of the XKS proxy API (Base64 where the API has binary members).");
        }

        call.Request = request;
        if (ValidateMetadata(request, call.Operation) is { } invalid)
        {
            return invalid;
        }

        if (call.Operation == XksOperation.GetHealthStatus)
        {
            WriteHealth(call.Output);
            return null;
        }

        if (!XksNames.IsValidExternalKeyId(call.ExternalKeyId))
        {
            return XksError.Validation($"The external key id is not valid: {XksNames.ExternalKeyIdRule}.");
        }

        if (!call.Store!.Keys.TryGetValue(call.ExternalKeyId!, out var binding)
            || await kms.Keys.GetAsync(binding.KeyId, http.RequestAborted) is not { } key
            || key.State == KeyState.Creating)
        {
            return XksError.KeyNotFound(call.ExternalKeyId!);
        }

        call.Key = key;
        if (await AuthorizeAsync(http, call, key) is { } denied)
        {
            return denied;
        }

        if (call.Operation == XksOperation.GetKeyMetadata)
        {
            WriteMetadata(call.Output, key, binding.Usage);
            return null;
        }

        if (key.State != KeyState.Enabled)
        {
            return XksError.InvalidState($"The key is {Core.WireNames.Of(key.State)}; only an Enabled key encrypts and decrypts.");
        }

        if (key.Spec != KeySpec.SymmetricDefault || key.Usage != KeyUsage.EncryptDecrypt)
        {
            return XksError.InvalidKeyUsage("The key is not an AES-256 ENCRYPT_DECRYPT key.");
        }

        return call.Operation == XksOperation.Encrypt
            ? await EncryptAsync(http, call, request!, key, binding.Usage)
            : await DecryptAsync(http, call, request!, key, binding.Usage);
    }

    /// <summary>The members requestMetadata must have for the operation (specification, each API); other members are opaque.</summary>
    private static XksError? ValidateMetadata(XksRequest? request, XksOperation operation)
    {
        if (request?.RequestMetadata is not { } metadata)
        {
            return XksError.Validation("requestMetadata is required.");
        }

        var missing = operation switch
        {
            _ when metadata.KmsRequestId is null => "kmsRequestId",
            _ when metadata.KmsOperation is null => "kmsOperation",
            not XksOperation.GetHealthStatus when metadata.AwsPrincipalArn is null => "awsPrincipalArn",
            XksOperation.Encrypt or XksOperation.Decrypt when metadata.KmsKeyArn is null => "kmsKeyArn",
            _ => null,
        };
        if (missing is not null)
        {
            return XksError.Validation($"requestMetadata.{missing} is required.");
        }

        foreach (var value in (ReadOnlySpan<string?>)[metadata.AwsPrincipalArn, metadata.AwsSourceVpc, metadata.AwsSourceVpce, metadata.KmsKeyArn, metadata.KmsOperation, metadata.KmsRequestId, metadata.KmsViaService])
        {
            if (value is { Length: > MaxMetadataLength })
            {
                return XksError.Validation($"A requestMetadata member is longer than {MaxMetadataLength} characters.");
            }
        }

        return null;
    }

    /// <summary>
    /// The key policy and the store's identity policies (and explicit denies in either), as for any Citadel principal;
    /// requestMetadata is there as the condition keys xks:AwsPrincipalArn, xks:KmsOperation, xks:KmsKeyArn,
    /// xks:KmsViaService, xks:AwsSourceVpc, xks:AwsSourceVpce and xks:KmsRequestId, and the external key id as
    /// xks:ExternalKeyId. GetKeyMetadata is kms:DescribeKey, Encrypt kms:Encrypt, Decrypt kms:Decrypt.
    /// </summary>
    private async ValueTask<XksError?> AuthorizeAsync(HttpContext http, XksCall call, KeyRecord key)
    {
        var metadata = call.Request!.RequestMetadata!;
        var facts = new RequestFacts
        {
            Principal = call.Principal,
            Region = call.Region,
            SourceIp = http.Connection.RemoteIpAddress?.ToString(),
            SecureTransport = http.Request.IsHttps,
            Now = kms.Time.GetUtcNow(),
            Key = key,
            XksFacts = XksConditionKeys.From(metadata, call.ExternalKeyId!),
        };
        var keyPolicy = PolicyCache.Get(key.Policy);
        if (keyPolicy is null)
        {
            return XksError.AccessDenied("The key's policy allows nothing.");
        }

        if (keyPolicy.UsesResourceTags)
        {
            facts.ResourceTags = await kms.Keys.GetTagsAsync(key.Id, http.RequestAborted);
        }

        var action = call.Operation switch
        {
            XksOperation.Encrypt => "kms:Encrypt",
            XksOperation.Decrypt => "kms:Decrypt",
            _ => "kms:DescribeKey",
        };
        var identityPolicies = await kms.Authorizer.IdentityPoliciesAsync(call.Principal!, http.RequestAborted);
        var request = AuthorizationRequest.For(call.Principal!, action, key.Arn, key.AccountId, facts);
        var result = PolicyEvaluator.Evaluate(request, keyPolicy, identityPolicies, grantAllows: false);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.XksAuthorizationDecided(call.RequestId, call.Principal!.Arn, action, key.Arn, result.Allowed ? "allowed" : "denied", result.Decisive is { } statement ? $"{result.Source} statement {statement.Name}" : result.Denial.ToString());
        }

        return result.Allowed ? null : XksError.AccessDenied(Printable(result.DenialMessage(request)));
    }

    private async ValueTask<XksError?> EncryptAsync(HttpContext http, XksCall call, XksRequest request, KeyRecord key, XksKeyUsage usage)
    {
        if (CheckAlgorithm(request) is { } invalid)
        {
            return invalid;
        }

        if (request.Plaintext is not { Length: > 0 } plaintext)
        {
            return XksError.Validation("plaintext is required: 1 or more bytes, Base64 encoded.");
        }

        if (request.CiphertextDataIntegrityValueAlgorithm is { } cdiv && cdiv != "SHA_256")
        {
            return XksError.Validation("ciphertextDataIntegrityValueAlgorithm must be SHA_256.");
        }

        var aad = request.AdditionalAuthenticatedData ?? [];
        if (plaintext.Length > MaxPlaintextBytes || aad.Length > MaxAadBytes)
        {
            return XksError.Unsupported($"This XKS proxy takes up to {MaxPlaintextBytes} bytes of plaintext and {MaxAadBytes} bytes of AAD.");
        }

        if ((usage & XksKeyUsage.Encrypt) == 0)
        {
            return XksError.InvalidKeyUsage("The external key store may not encrypt with this key.");
        }

        var withIntegrity = request.CiphertextDataIntegrityValueAlgorithm is not null;
        if (withIntegrity && (usage & XksKeyUsage.Decrypt) == 0)
        {
            // The integrity value is a promise that the ciphertext decrypts (Appendix C), which this proxy proves by
            // decrypting it; a key the store may not decrypt with cannot give it.
            return XksError.InvalidKeyUsage("A ciphertext data integrity value needs a key the external key store may decrypt with; this one is encrypt-only.");
        }

        var version = key.CurrentMaterialVersion;
        using var material = await kms.Materials.AcquireAsync(key, version, http.RequestAborted)
            ?? throw new InvalidOperationException($"Key {key.Id} has no material version {version}.");
        var ciphertext = new byte[plaintext.Length];
        var iv = new byte[XksCiphertext.IvSize];
        var tag = new byte[XksCiphertext.TagSize];
        var metadata = new byte[XksCiphertext.MetadataSize];
        XksCiphertext.Encrypt(material.Material, key.Id, version, aad, plaintext, ciphertext, iv, tag, metadata);
        Span<byte> integrity = stackalloc byte[32];
        if (withIntegrity)
        {
            // Computed before the check decryption, so a fault after encryption shows as a mismatch in AWS KMS (Appendix C).
            XksCiphertext.IntegrityValue(aad, metadata, iv, ciphertext, tag, integrity);
            var check = ArrayPool<byte>.Shared.Rent(plaintext.Length);
            try
            {
                if (!XksCiphertext.TryDecrypt(material.Material, key.Id, aad, metadata, iv, ciphertext, tag, check.AsSpan(0, plaintext.Length))
                    || !CryptographicOperations.FixedTimeEquals(check.AsSpan(0, plaintext.Length), plaintext))
                {
                    throw new CryptographicException("An XKS encryption did not decrypt to its plaintext.");
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(check.AsSpan(0, plaintext.Length));
                ArrayPool<byte>.Shared.Return(check);
            }
        }

        using var json = new Utf8JsonWriter(call.Output);
        json.WriteStartObject();
        json.WriteBase64String("ciphertext"u8, ciphertext);
        json.WriteBase64String("ciphertextMetadata"u8, metadata);
        json.WriteBase64String("initializationVector"u8, iv);
        json.WriteBase64String("authenticationTag"u8, tag);
        if (withIntegrity)
        {
            json.WriteBase64String("ciphertextDataIntegrityValue"u8, integrity);
        }

        json.WriteEndObject();
        return null;
    }

    private async ValueTask<XksError?> DecryptAsync(HttpContext http, XksCall call, XksRequest request, KeyRecord key, XksKeyUsage usage)
    {
        if (CheckAlgorithm(request) is { } invalid)
        {
            return invalid;
        }

        var missing = request switch
        {
            { Ciphertext: null } => "ciphertext",
            { InitializationVector: null } => "initializationVector",
            { AuthenticationTag: null } => "authenticationTag",
            _ => null,
        };
        if (missing is not null)
        {
            return XksError.Validation($"{missing} is required (Base64 encoded).");
        }

        if (request.InitializationVector!.Length is not (12 or 16) || request.AuthenticationTag!.Length != XksCiphertext.TagSize || request.CiphertextMetadata is { Length: > 20 })
        {
            return XksError.Validation("initializationVector is 12 or 16 bytes, authenticationTag 16 bytes and ciphertextMetadata at most 20 bytes.");
        }

        var aad = request.AdditionalAuthenticatedData ?? [];
        var ciphertext = request.Ciphertext!;
        if (ciphertext.Length > MaxPlaintextBytes || aad.Length > MaxAadBytes)
        {
            return XksError.Unsupported($"This XKS proxy takes up to {MaxPlaintextBytes} bytes of ciphertext and {MaxAadBytes} bytes of AAD.");
        }

        if ((usage & XksKeyUsage.Decrypt) == 0)
        {
            return XksError.InvalidKeyUsage("The external key store may not decrypt with this key.");
        }

        if (!XksCiphertext.TryReadMaterialVersion(request.CiphertextMetadata, out var version))
        {
            return XksError.InvalidCiphertext();
        }

        using var material = await kms.Materials.AcquireAsync(key, version, http.RequestAborted);
        if (material is not { } handle)
        {
            return XksError.InvalidCiphertext();
        }

        var plaintext = ArrayPool<byte>.Shared.Rent(Math.Max(ciphertext.Length, 1));
        try
        {
            if (!XksCiphertext.TryDecrypt(handle.Material, key.Id, aad, request.CiphertextMetadata, request.InitializationVector, ciphertext, request.AuthenticationTag, plaintext.AsSpan(0, ciphertext.Length)))
            {
                return XksError.InvalidCiphertext();
            }

            using var json = new Utf8JsonWriter(call.Output);
            json.WriteStartObject();
            json.WriteBase64String("plaintext"u8, plaintext.AsSpan(0, ciphertext.Length));
            json.WriteEndObject();
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext.AsSpan(0, ciphertext.Length));
            ArrayPool<byte>.Shared.Return(plaintext);
        }
    }

    private static XksError? CheckAlgorithm(XksRequest request) => request.EncryptionAlgorithm switch
    {
        "AES_GCM" => null,
        null => XksError.Validation("encryptionAlgorithm is required: AES_GCM."),
        _ => XksError.Validation("encryptionAlgorithm must be AES_GCM."),
    };

    private static void WriteHealth(IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteNumber("xksProxyFleetSize"u8, 1);
        json.WriteString("xksProxyVendor"u8, "Citadel"u8);
        json.WriteString("xksProxyModel"u8, $"Citadel XKS proxy {Version}");
        json.WriteString("ekmVendor"u8, "Citadel"u8);
        json.WriteStartArray("ekmFleetDetails"u8);
        json.WriteStartObject();
        json.WriteString("id"u8, Environment.MachineName);
        json.WriteString("model"u8, $"Citadel {Version}");
        json.WriteString("healthStatus"u8, "ACTIVE"u8);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteMetadata(IBufferWriter<byte> output, KeyRecord key, XksKeyUsage usage)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("keySpec"u8, "AES_256"u8);
        json.WriteStartArray("keyUsage"u8);
        if ((usage & XksKeyUsage.Encrypt) != 0)
        {
            json.WriteStringValue("ENCRYPT"u8);
        }

        if ((usage & XksKeyUsage.Decrypt) != 0)
        {
            json.WriteStringValue("DECRYPT"u8);
        }

        json.WriteEndArray();
        json.WriteString("keyStatus"u8, key.State == KeyState.Enabled ? "ENABLED"u8 : "DISABLED"u8);
        json.WriteEndObject();
    }

    private static async Task WriteErrorAsync(HttpResponse response, XksError error)
    {
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteString("errorName"u8, error.Name);
            json.WriteString("errorMessage"u8, Printable(error.Message));
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync();
    }

    /// <summary>An errorMessage as the specification allows it: printable ASCII, under 512 characters; a signature mismatch's first paragraph.</summary>
    internal static string Printable(string message)
    {
        var paragraph = message.IndexOf("\n\n", StringComparison.Ordinal);
        var text = paragraph < 0 ? message : message[..paragraph];
        Span<char> chars = stackalloc char[Math.Min(text.Length, 511)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = text[i] is >= ' ' and <= '~' ? text[i] : ' ';
        }

        return chars.TrimEnd().ToString();
    }

    /// <summary>
    /// One audit event: eventSource kms-xks-proxy, the operation's name, requestMetadata, never plaintext, ciphertext or
    /// AAD. A caller who was not authenticated (no client certificate, an access key id that is no store's, a refused
    /// signature) is recorded too, as userIdentity type Unknown with the access key id it claimed, in the account of the
    /// store whose URI prefix the path names (none when the prefix is no store's).
    /// </summary>
    private async ValueTask RecordAsync(XksCall call, XksError? error)
    {
        if (!audit.Enabled)
        {
            return;
        }

        var unauthenticated = call.Principal is null;
        var accountId = call.Principal?.AccountId
            ?? (await stores.FindByPrefixAsync(call.UriPrefix, call.Http.RequestAborted))?.AccountId
            ?? "";

        var e = new AuditEvent
        {
            EventName = call.Operation.ToString(),
            EventSource = EventSource,
            EventTime = wallClock.GetUtcNow(),
            Principal = call.Principal,
            Unauthenticated = unauthenticated,
            AccessKeyId = unauthenticated ? XksAudit.ClaimedAccessKeyId(call.Http.Request.Headers.Authorization.ToString()) : call.AccessKeyId,
            AccountId = accountId,
            Region = call.Region,
            SourceIp = call.Http.Connection.RemoteIpAddress,
            UserAgent = call.Http.Request.Headers.UserAgent.ToString(),
            RequestId = call.RequestId,
            ReadOnly = call.Operation is XksOperation.GetHealthStatus or XksOperation.GetKeyMetadata,
            RequestParameters = XksAudit.RequestParameters(call),
            ErrorCode = error?.Name,
            ErrorMessage = error?.Message,
            ResourceArn = call.Key?.Arn,
            ResourceAccountId = call.Key?.AccountId,
        };
        e.EventId = Guid.CreateVersion7(e.EventTime);
        using var entry = new AuditEntry(e);
        await audit.RecordAsync(entry);
    }
}

/// <summary>The four operations of the XKS proxy API, by the specification's names (the audit trail's eventName).</summary>
internal enum XksOperation
{
    GetHealthStatus = 1,
    GetKeyMetadata = 2,
    Encrypt = 3,
    Decrypt = 4,
}

/// <summary>One XKS proxy call as it is handled: what the path named, who signed it, and what it found.</summary>
internal sealed class XksCall(string requestId, HttpContext http)
{
    public string RequestId { get; } = requestId;

    public HttpContext Http { get; } = http;

    public XksOperation Operation { get; set; }

    public string UriPrefix { get; set; } = "";

    public string? ExternalKeyId { get; set; }

    public Principal? Principal { get; set; }

    public string? AccessKeyId { get; set; }

    public string Region { get; set; } = "";

    public XksStore? Store { get; set; }

    public XksRequest? Request { get; set; }

    public KeyRecord? Key { get; set; }

    /// <summary>The success response; sent once the call is recorded (a Decrypt's holds the plaintext: wiped after).</summary>
    public ArrayBufferWriter<byte> Output { get; } = new(256);

    /// <summary>Wipes the plaintext the request and the response carried.</summary>
    public void Wipe()
    {
        Output.Clear();
        if (Request?.Plaintext is { } plaintext)
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
