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

    /// <summary>The caller as the services see it (no HTTP); the properties below that name the caller are its.</summary>
    public Caller Caller { get; } = new();

    /// <summary>The condition-key values of this request, for authorization.</summary>
    public RequestFacts Facts => Caller.Facts;

    public HttpContext Http { get; private set; } = null!;

    public string RequestId => Caller.RequestId;

    public Operation Operation { get; private set; } = null!;

    public Principal Principal
    {
        get => Caller.Principal;
        set => Caller.Principal = value;
    }

    public string Region
    {
        get => Caller.Region;
        set => Caller.Region = value;
    }

    public string AccessKeyId
    {
        get => Caller.AccessKeyId;
        set => Caller.AccessKeyId = value;
    }

    /// <summary>The integrated service that made the request on the principal's behalf, if any.</summary>
    public string? InvokedBy
    {
        get => Caller.InvokedBy;
        set => Caller.InvokedBy = value;
    }

    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>The key the request acted on, once resolved (for the audit trail and error messages).</summary>
    public KeyRecord? ResourceKey
    {
        get => Caller.ResourceKey;
        set => Caller.ResourceKey = value;
    }

    /// <summary>The second key the pipeline resolved and authorized (ReEncrypt's destination, the key an alias points at now).</summary>
    public KeyRecord? SecondKey
    {
        get => Caller.SecondKey;
        set => Caller.SecondKey = value;
    }

    /// <summary>The audit event's additionalEventData, as JSON (the XKS proxy call of a key in an external key store), or null.</summary>
    public string? AdditionalEventData
    {
        get => Caller.AdditionalEventData;
        set => Caller.AdditionalEventData = value;
    }

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
        Caller.RequestId = requestId;
        Caller.OperationName = operation.Name;
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
        Caller.Reset();
        Body = default;
        // Responses carry plaintext and data keys: wipe, not just rewind.
        _responseBuffer.Clear();
        _json?.Reset(_responseBuffer);
    }
}
