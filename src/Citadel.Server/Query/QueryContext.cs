using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Xml;
using Citadel.Core.Identity;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Microsoft.AspNetCore.Http;

namespace Citadel.Server.Query;

/// <summary>
/// One query-protocol request as a handler sees it: the caller, the parameters, and the result being written.
/// Not pooled: STS and IAM calls are not the hot path (credentials are fetched once per session, not per call).
/// </summary>
internal sealed class QueryContext : IDisposable
{
    private readonly StringBuilder _result = new();

    public QueryContext(KmsRuntime kms, HttpContext http, string requestId, QueryOperation operation, QueryForm form)
    {
        Kms = kms;
        Http = http;
        RequestId = requestId;
        Operation = operation;
        Form = form;
        Result = XmlWriter.Create(_result, new XmlWriterSettings { OmitXmlDeclaration = true, ConformanceLevel = ConformanceLevel.Fragment, Indent = false });
    }

    /// <summary>The server's store, seal, clock (the key clock, which a development server can advance) and authorizer.</summary>
    public KmsRuntime Kms { get; }

    public HttpContext Http { get; }

    /// <summary>The host's services, for what a handler needs beyond <see cref="Kms"/>.</summary>
    public IServiceProvider Services => Http.RequestServices;

    public string RequestId { get; }

    public QueryOperation Operation { get; }

    public QueryForm Form { get; }

    /// <summary>The caller; null only for an anonymous operation (AssumeRoleWithWebIdentity).</summary>
    public Principal? Principal { get; set; }

    public string Region { get; set; } = "us-east-1";

    public string? AccessKeyId { get; set; }

    /// <summary>The condition-key values of this request, for authorization (the handler's resource policy reads them too).</summary>
    public RequestFacts Facts { get; } = new();

    /// <summary>The members of &lt;{Action}Result&gt;; the endpoint writes the envelope around them.</summary>
    public XmlWriter Result { get; }

    /// <summary>responseElements for the audit trail, as a JSON object without secrets; null records none.</summary>
    public string? AuditResponse { get; set; }

    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>Sets <see cref="AuditResponse"/> to the JSON object <paramref name="write"/> writes the members of.</summary>
    public void WriteAuditResponse(Action<Utf8JsonWriter> write) => AuditResponse = Json(write);

    /// <summary>A JSON object with the members <paramref name="write"/> writes, as a string (audit records of the query services).</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public string ResultXml()
    {
        Result.Flush();
        return _result.ToString();
    }

    public void Dispose() => Result.Dispose();
}
