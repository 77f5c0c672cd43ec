using System.Buffers;
using System.Text.Json;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Protocol;

/// <summary>
/// One request as it moves through the pipeline: who sent it, in which region, its body, and the
/// response being written. Pooled: <see cref="Reset"/> clears it between requests.
/// </summary>
internal sealed class RequestContext : IDisposable
{
    private readonly ArrayBufferWriter<byte> _responseBuffer = new(1024);
    private Utf8JsonWriter? _json;

    public RequestContext(KmsRuntime kms) => Kms = kms;

    public KmsRuntime Kms { get; }

    /// <summary>This request's audit event and its frame (reused with the context).</summary>
    public Audit.AuditEntry Audit { get; } = new();

    /// <summary>The condition-key values of this request, for authorization.</summary>
    public RequestFacts Facts { get; } = new();

    public HttpContext Http { get; private set; } = null!;

    public string RequestId { get; private set; } = "";

    public Operation Operation { get; private set; } = null!;

    public Principal Principal { get; set; } = null!;

    public string Region { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    /// <summary>The integrated service that made the request on the principal's behalf, if any.</summary>
    public string? InvokedBy { get; set; }

    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>The key the request acted on, once resolved (for the audit trail and error messages).</summary>
    public KeyRecord? ResourceKey { get; set; }

    /// <summary>The second key the pipeline resolved and authorized (ReEncrypt's destination, the key an alias points at now).</summary>
    public KeyRecord? SecondKey { get; set; }

    /// <summary>The audit event's additionalEventData, as JSON (the XKS proxy call of a key in an external key store), or null.</summary>
    public string? AdditionalEventData { get; set; }

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The success response body. Handlers write one JSON object here; it is sent only if they return no error.</summary>
    public Utf8JsonWriter Json
    {
        get
        {
            if (_json is null)
            {
                _json = new Utf8JsonWriter(_responseBuffer, new JsonWriterOptions { SkipValidation = true });
            }

            return _json;
        }
    }

    public bool HasResponseBody => _responseBuffer.WrittenCount > 0 || (_json?.BytesPending ?? 0) > 0;

    public ReadOnlyMemory<byte> ResponseBody
    {
        get
        {
            _json?.Flush();
            return _responseBuffer.WrittenMemory;
        }
    }

    public void Start(HttpContext http, string requestId, Operation operation)
    {
        Http = http;
        RequestId = requestId;
        Operation = operation;
    }

    public void Dispose()
    {
        _json?.Dispose();
        Audit.Dispose();
    }

    public void Reset()
    {
        Http = null!;
        Operation = null!;
        Principal = null!;
        ResourceKey = null;
        SecondKey = null;
        AdditionalEventData = null;
        InvokedBy = null;
        Facts.Reset();
        Body = default;
        // Responses carry plaintext and data keys: wipe, not just rewind.
        _responseBuffer.Clear();
        _json?.Reset(_responseBuffer);
    }
}
