using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using System.Xml;
using Citadel.Core.Errors;
using Citadel.Core.Policies;
using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Query;

/// <summary>
/// POST / with a form-encoded body (Action=…&amp;Version=…): AWS's query protocol, which STS and IAM speak, on the
/// KMS endpoint. The service is the one the request is signed for (the SigV4 credential scope: sts or iam), as a
/// client sends it to the service's own endpoint. One request: read the body once (bounded), find the operation,
/// authenticate (SigV4, session tokens included), authorize the operation's action on its resource against the
/// caller's identity policies (and the resource's own policy, such as a role's trust policy), run the handler,
/// record one audit event, answer XML. Operations are declared in <see cref="QueryOperation"/> lists and registered
/// with the host; this class knows none of them.
/// </summary>
internal sealed class QueryEndpoint
{
    private readonly FrozenDictionary<(string Service, string Name), QueryOperation> _operations;
    private readonly SigV4Verifier _verifier;
    private readonly KmsRuntime _kms;
    private readonly AuditWriter _audit;
    private readonly TimeProvider _wallClock;
    private readonly ILogger _logger;

    public QueryEndpoint(IEnumerable<QueryOperation> operations, SigV4Verifier verifier, KmsRuntime kms, AuditWriter audit, TimeProvider wallClock, ILogger<QueryEndpoint> logger)
    {
        _operations = operations.ToFrozenDictionary(o => (o.Service, o.Name));
        _verifier = verifier;
        _kms = kms;
        _audit = audit;
        _wallClock = wallClock;
        _logger = logger;
    }

    /// <summary>Whether a POST / is a query request: form-encoded and without the JSON protocol's X-Amz-Target.</summary>
    public static bool IsQueryRequest(HttpRequest request) =>
        !request.Headers.ContainsKey("X-Amz-Target")
        && request.ContentType is { } type
        && type.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext http)
    {
        var requestId = Guid.NewGuid().ToString("D");
        var response = http.Response;
        response.Headers["x-amzn-RequestId"] = requestId;
        var service = ScopeService(http.Request.Headers.Authorization.ToString()) ?? QueryServices.Sts;
        QueryContext? ctx = null;
        byte[]? rented = null;
        var recorded = false;
        try
        {
            var limit = _kms.Options.MaxRequestBodyBytes;
            (rented, var length, var tooLarge) = await RequestBody.ReadAsync(http.Request.BodyReader, http.Request.ContentLength, limit, http.RequestAborted);
            if (tooLarge)
            {
                await WriteErrorAsync(response, service, requestId, QueryErrors.TooLarge(limit));
                return;
            }

            var body = rented is null ? ReadOnlyMemory<byte>.Empty : rented.AsMemory(0, length);
            if (!QueryForm.TryParse(body.Span, out var form, out var malformed))
            {
                await WriteErrorAsync(response, service, requestId, QueryErrors.Malformed(malformed));
                return;
            }

            var action = form["Action"];
            if (string.IsNullOrEmpty(action))
            {
                await WriteErrorAsync(response, service, requestId, QueryErrors.MissingAction());
                return;
            }

            var version = form["Version"];
            if (QueryServices.Version(service) != version || !_operations.TryGetValue((service, action), out var operation))
            {
                await WriteErrorAsync(response, service, requestId, QueryErrors.InvalidAction(action, version));
                return;
            }

            ctx = new QueryContext(_kms, http, requestId, operation, form);
            if (!(operation.Anonymous && http.Request.Headers.Authorization.Count == 0))
            {
                var auth = await _verifier.VerifyAsync(http.Request, body, service, http.RequestAborted);
                if (auth.Principal is not null)
                {
                    ctx.Principal = auth.Principal;
                    ctx.Region = auth.Region!;
                    ctx.AccessKeyId = auth.AccessKeyId;
                }

                if (auth.Error is { } authError)
                {
                    var refused = FromAuthentication(authError);
                    if (ctx.Principal is not null)
                    {
                        // A known access key with a bad signature: the identity is known, so the attempt is recorded.
                        recorded = true;
                        await RecordAsync(ctx, refused with { Message = AuditedMessage(authError) });
                    }

                    await WriteErrorAsync(response, service, requestId, refused);
                    return;
                }
            }

            var facts = ctx.Facts;
            facts.Principal = ctx.Principal;
            facts.Region = ctx.Region;
            facts.SourceIp = http.Connection.RemoteIpAddress?.ToString();
            facts.SecureTransport = http.Request.IsHttps;
            facts.Now = _kms.Time.GetUtcNow();

            var error = operation.Validate?.Invoke(ctx);
            if (error is null && operation.Authenticate is { } authenticate)
            {
                // An anonymous operation's credential is in the request: whoever signed it (if anyone) does not count.
                ctx.Principal = null;
                ctx.AccessKeyId = null;
                error = await authenticate(ctx);
                facts.Principal = ctx.Principal;
                if (error is null && ctx.Principal is null)
                {
                    throw new InvalidOperationException($"{operation.Name} authenticated no caller.");
                }
            }

            error ??= await AuthorizeAsync(ctx) ?? await operation.Invoke(ctx);
            recorded = true;
            await RecordAsync(ctx, error);
            if (error is { } failure)
            {
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.RequestRefused(requestId, operation.Name, ctx.Principal?.Arn ?? "anonymous", failure.Code);
                }

                await WriteErrorAsync(response, service, requestId, failure);
                return;
            }

            await WriteResultAsync(response, ctx);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (BadHttpRequestException exception) when (!response.HasStarted)
        {
            response.Clear();
            response.Headers["x-amzn-RequestId"] = requestId;
            await WriteErrorAsync(response, service, requestId, exception.StatusCode == StatusCodes.Status408RequestTimeout
                ? new QueryError("RequestTimeout", "The request body did not arrive in time: fewer bytes than its Content-Length were received.", 408)
                : QueryErrors.Malformed($"The request body could not be read: {exception.Message}"));
        }
        catch (Exception exception)
        {
            _logger.RequestFailed(exception, requestId, ctx?.Operation.Name ?? "query");
            var failure = QueryErrors.Internal(requestId);
            if (!recorded && ctx is not null && (ctx.Principal is not null || ctx.Operation.Anonymous))
            {
                try
                {
                    await RecordAsync(ctx, failure);
                }
                catch (Exception auditException)
                {
                    _logger.AuditUnavailable(requestId, ctx.Operation.Name, auditException.Message);
                }
            }

            if (!response.HasStarted)
            {
                response.Clear();
                response.Headers["x-amzn-RequestId"] = requestId;
                await WriteErrorAsync(response, service, requestId, failure);
            }
        }
        finally
        {
            ctx?.Dispose();
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// The operation's action on its resource: the caller's identity policies (a session's narrowed by its session
    /// policy) and, where the operation has one, the resource's own policy — evaluated as a key policy is, so a trust
    /// policy that names the caller allows on its own and one that names the account leaves it to IAM policies.
    /// </summary>
    private async ValueTask<QueryError?> AuthorizeAsync(QueryContext ctx)
    {
        var operation = ctx.Operation;
        if ((operation.Resource is null && operation.ResourceAsync is null) || ctx.Principal is not { } principal)
        {
            return null;
        }

        var resource = operation.ResourceAsync is { } lookup ? await lookup(ctx) : operation.Resource!(ctx);
        if (resource is null)
        {
            return null;
        }

        Policy? resourcePolicy = null;
        if (operation.ResourcePolicy is { } load)
        {
            resourcePolicy = await load(ctx);
        }

        var request = AuthorizationRequest.For(principal, operation.Action, resource, AccountOf(resource) ?? principal.AccountId, ctx.Facts);
        var result = operation.ResourcePolicy is not null && resourcePolicy is null
            ? new AuthorizationResult(false, Denial.NoResourcePolicyAllows, null, "")
            : PolicyEvaluator.Evaluate(request, resourcePolicy, await _kms.Authorizer.IdentityPoliciesAsync(principal, ctx.Aborted), grantAllows: false);
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.AuthorizationDecided(ctx.RequestId, principal.Arn, operation.Action, resource, result.Allowed ? "allowed" : "denied", result.Decisive is { } statement ? $"{result.Source} statement {statement.Name}" : result.Denial.ToString());
        }

        // A caller known only by a token (a web identity) is told AWS's shorter message.
        return result.Allowed ? null : QueryErrors.AccessDenied(operation.Anonymous ? $"Not authorized to perform {operation.Action}" : result.DenialMessage(request));
    }

    /// <summary>The account of an ARN (arn:aws:iam::ACCOUNT:…), or null.</summary>
    private static string? AccountOf(string arn)
    {
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[4].Length == 12 ? parts[4] : null;
    }

    /// <summary>The service of the Authorization header's credential scope (Credential=AKID/DATE/REGION/SERVICE/aws4_request), or null.</summary>
    private static string? ScopeService(string authorization)
    {
        var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var end = authorization.IndexOfAny([',', ' '], at);
        var scope = authorization.AsSpan(at, (end < 0 ? authorization.Length : end) - at);
        Span<Range> parts = stackalloc Range[6];
        var count = scope.Split(parts, '/');
        return count == 5 && scope[parts[3]] is var name && (name.SequenceEqual(QueryServices.Sts) || name.SequenceEqual(QueryServices.Iam))
            ? name.ToString()
            : null;
    }

    /// <summary>
    /// Authentication failures in the query protocol's words: the KMS JSON protocol's exception names become the
    /// codes STS and IAM answer with (SignatureDoesNotMatch, InvalidClientTokenId, ExpiredToken …), same statuses.
    /// </summary>
    internal static QueryError FromAuthentication(KmsError error) => error.Code switch
    {
        KmsErrorCode.MissingAuthenticationToken => new QueryError("MissingAuthenticationToken", error.Message, 403),
        KmsErrorCode.IncompleteSignature => new QueryError("IncompleteSignature", error.Message, 400),
        KmsErrorCode.InvalidSignature => new QueryError("SignatureDoesNotMatch", error.Message, 403),
        KmsErrorCode.UnrecognizedClient => new QueryError("InvalidClientTokenId", error.Message, 403),
        KmsErrorCode.ExpiredToken => new QueryError("ExpiredToken", error.Message, 400),
        KmsErrorCode.AccessDenied => new QueryError("AccessDenied", error.Message, 403),
        _ => new QueryError("InternalFailure", error.Message, 500, Sender: false),
    };

    /// <summary>A signature mismatch shows the canonical request (with the body's hash); the trail keeps the first paragraph only.</summary>
    private static string AuditedMessage(KmsError error)
    {
        var details = error.Code == KmsErrorCode.InvalidSignature ? error.Message.IndexOf("\n\n", StringComparison.Ordinal) : -1;
        return details < 0 ? error.Message : error.Message[..details];
    }

    /// <summary>Records the request in the audit trail (eventSource sts/iam.amazonaws.com) and waits until it is durable.</summary>
    private async ValueTask RecordAsync(QueryContext ctx, QueryError? error)
    {
        if (!_audit.Enabled)
        {
            return;
        }

        var operation = ctx.Operation;
        var e = new AuditEvent
        {
            EventName = operation.Name,
            EventSource = QueryServices.EventSource(operation.Service),
            EventTime = _wallClock.GetUtcNow(),
            Principal = ctx.Principal,
            AccessKeyId = ctx.AccessKeyId,
            Region = ctx.Region,
            SourceIp = ctx.Http.Connection.RemoteIpAddress,
            UserAgent = ctx.Http.Request.Headers.UserAgent.ToString(),
            RequestId = ctx.RequestId,
            ReadOnly = operation.ReadOnly,
            RequestParameters = RequestParameters(ctx),
            ResponseElements = error is null ? ctx.AuditResponse : null,
            ErrorCode = error?.Code,
            ErrorMessage = error?.Message,
        };
        e.EventId = Guid.CreateVersion7(e.EventTime);
        e.AccountId = ctx.Principal?.AccountId ?? AccountOf(ctx.Form["RoleArn"] ?? "") ?? "";
        using var entry = new AuditEntry(e);
        await _audit.RecordAsync(entry);
    }

    /// <summary>requestParameters: only the operation's declared parameters, named in lower camel case as CloudTrail does.</summary>
    private static string? RequestParameters(QueryContext ctx)
    {
        var names = ctx.Operation.AuditedParameters;
        if (names.Count == 0)
        {
            return null;
        }

        var parameters = QueryContext.Json(json =>
        {
            foreach (var name in names)
            {
                if (ctx.Form[name] is { } value)
                {
                    json.WriteString(QueryErrors.LowerFirst(name), value);
                }
            }
        });
        return parameters.Length > 2 ? parameters : null;
    }

    private static async Task WriteResultAsync(HttpResponse response, QueryContext ctx)
    {
        var name = ctx.Operation.Name;
        var text = new StringBuilder(512);
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true }))
        {
            xml.WriteStartElement(name + "Response", QueryServices.Namespace(ctx.Operation.Service));
            xml.WriteStartElement(name + "Result");
            xml.WriteRaw(ctx.ResultXml());
            xml.WriteEndElement();
            xml.WriteStartElement("ResponseMetadata");
            xml.WriteElementString("RequestId", ctx.RequestId);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        await WriteXmlAsync(response, 200, text.ToString(), ctx.Aborted);
    }

    /// <summary>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;, as STS and IAM answer.</summary>
    internal static Task WriteErrorAsync(HttpResponse response, string service, string requestId, QueryError error)
    {
        var text = new StringBuilder(256);
        using (var xml = XmlWriter.Create(text, new XmlWriterSettings { OmitXmlDeclaration = true, CheckCharacters = false }))
        {
            xml.WriteStartElement("ErrorResponse", QueryServices.Namespace(service));
            xml.WriteStartElement("Error");
            xml.WriteElementString("Type", error.Sender ? "Sender" : "Receiver");
            xml.WriteElementString("Code", error.Code);
            xml.WriteElementString("Message", XmlSafe(error.Message));
            xml.WriteEndElement();
            xml.WriteElementString("RequestId", requestId);
            xml.WriteEndElement();
        }

        return WriteXmlAsync(response, error.Status, text.ToString(), CancellationToken.None);
    }

    private static async Task WriteXmlAsync(HttpResponse response, int status, string xml, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(xml);
        response.StatusCode = status;
        response.ContentType = "text/xml";
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, ct);
    }

    /// <summary>Messages may quote what the client sent; characters XML 1.0 cannot hold become U+FFFD.</summary>
    private static string XmlSafe(string text)
    {
        foreach (var c in text)
        {
            if (!XmlConvert.IsXmlChar(c) && !char.IsSurrogate(c))
            {
                return string.Concat(text.Select(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch) ? ch : '\uFFFD'));
            }
        }

        return text;
    }
}
