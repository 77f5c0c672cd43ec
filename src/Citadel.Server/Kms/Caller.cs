using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;

namespace Citadel.Server.Kms;

/// <summary>
/// Who makes a request, as the services see it: the principal (and its account), the region, the access key, the
/// integrated service acting for it, the request id and the condition-key facts; no HTTP. A service reports back on it
/// what the audit event names (<see cref="ResourceKey"/>: the key it acted on, as changed). Pooled with its request and
/// cleared between requests.
/// </summary>
internal sealed class Caller
{
    public Principal Principal { get; set; } = null!;

    /// <summary>The caller's account (12 digits).</summary>
    public string AccountId => Principal.AccountId;

    public string Region { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    /// <summary>The integrated service that made the request on the principal's behalf, if any.</summary>
    public string? InvokedBy { get; set; }

    public string RequestId { get; set; } = "";

    /// <summary>The KMS operation's name (kmsOperation of the calls to an external key store's proxy).</summary>
    public string OperationName { get; set; } = "";

    /// <summary>The condition-key values of this request, for authorization.</summary>
    public RequestFacts Facts { get; } = new();

    /// <summary>
    /// The key the request acted on, for the audit event's resources and the access log: set by the pipeline when it
    /// resolves the key, and by a service that changes it (the record as written) or creates one.
    /// </summary>
    public KeyRecord? ResourceKey { get; set; }

    /// <summary>The second key the pipeline resolved and authorized (ReEncrypt's destination, the key an alias points at now).</summary>
    public KeyRecord? SecondKey { get; set; }

    /// <summary>The audit event's additionalEventData, as JSON, or null: the XKS proxy call the custom key store service made for this request (the last one, if several).</summary>
    public string? AdditionalEventData { get; set; }

    public void Reset()
    {
        Principal = null!;
        Region = "";
        AccessKeyId = "";
        InvokedBy = null;
        RequestId = "";
        OperationName = "";
        ResourceKey = null;
        SecondKey = null;
        AdditionalEventData = null;
        Facts.Reset();
    }
}
