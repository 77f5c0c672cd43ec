using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Citadel.Core.Errors;
using Citadel.Core.Grants;
using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Server.Audit;
using Citadel.Server.Kms;
using Citadel.Server.Observability;
using Citadel.Server.SigV4;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.ObjectPool;

namespace Citadel.Server.Protocol;

/// <summary>Checks a request against the model's constraints.</summary>
internal delegate void Validator<in T>(T request, ref Validation validation);

/// <summary>
/// POST / with X-Amz-Target: the AWS JSON 1.1 protocol. One request: find the operation, read the
/// body once, authenticate (SigV4), then the operation's handler; the response is JSON or an
/// AWS error body. Nothing but a real fault becomes a 500, and that says no more than the request id.
/// </summary>
internal sealed class KmsEndpoint
{
    private readonly FrozenDictionary<string, Operation> _operations;
    private readonly SigV4Verifier _verifier;
    private readonly KmsRuntime _kms;
    private readonly ILogger _logger;
    private readonly ObjectPool<RequestContext> _contexts;

    private readonly AuditWriter _audit;
    private readonly TimeProvider _wallClock;
    private readonly RequestMetrics _requests;

    // The first internal failure (and the first audit failure) of every 10 seconds is logged in full, the rest at Debug.
    private readonly FailureReports _internalFailures;
    private readonly FailureReports _auditFailures;

    /// <summary>The labels of a request whose X-Amz-Target names no operation.</summary>
    private static readonly OperationTags UnknownOperation = new("Unknown");

    public KmsEndpoint(IEnumerable<Operation> operations, SigV4Verifier verifier, KmsRuntime kms, AuditWriter audit, TimeProvider wallClock, ILogger<KmsEndpoint> logger, RequestMetrics requests)
    {
        _requests = requests;
        _audit = audit;
        _wallClock = wallClock;
        _operations = operations.ToFrozenDictionary(o => TargetOf(o), StringComparer.Ordinal);
        _verifier = verifier;
        _kms = kms;
        _logger = logger;
        _contexts = new DefaultObjectPool<RequestContext>(new ContextPolicy(kms), 256);
        _internalFailures = new FailureReports(wallClock, FailureReportInterval);
        _auditFailures = new FailureReports(wallClock, FailureReportInterval);
    }

    private static readonly TimeSpan FailureReportInterval = TimeSpan.FromSeconds(10);

    /// <summary>How far a request's audit event has got; it decides what a failure still has to record.</summary>
    private enum AuditStep
    {
        /// <summary>Not handed to the audit writer: a failure now is recorded as the request's one event.</summary>
        None,

        /// <summary>Handed to the writer and waited for: a failure now is the audit's own.</summary>
        Pending,

        /// <summary>Durable: a failure now (writing the response) is not recorded again.</summary>
        Durable,
    }

    private static string TargetOf(Operation operation) => operation.Service switch
    {
        "cloudtrail" => $"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.{operation.Name}",
        "citadel" => $"Citadel.{operation.Name}",
        _ => $"TrentService.{operation.Name}",
    };

    /// <summary>
    /// The request delegate Kestrel calls. A request is answered by <see cref="HandleRequestAsync"/>, which hands
    /// what follows its handler to <see cref="RespondAsync"/>: that waits for the audit event's sync, and what it
    /// boxes while it waits is its few locals rather than the whole request's state machine (about 670 bytes, a
    /// dozen locals and an awaiter per kind of await), boxed for nearly every audited request. A request that
    /// completes synchronously (audit off, nothing waited for) still allocates no task.
    /// </summary>
    public Task HandleAsync(HttpContext http)
    {
        var handled = HandleRequestAsync(http);
        return handled.IsCompletedSuccessfully ? handled.Result ?? Task.CompletedTask : AwaitHandledAsync(handled);
    }

    /// <summary>A request whose first part waited (a body still arriving, a store read): the rest it handed off, after it.</summary>
    private static async Task AwaitHandledAsync(ValueTask<Task?> handled)
    {
        if (await handled is { } rest)
        {
            await rest;
        }
    }

    /// <summary>
    /// One request up to its handler's result; then the task of <see cref="RespondAsync"/>, which owns the rest of
    /// it (the context, the body, the accounting), or null when the request was answered here.
    /// </summary>
    private async ValueTask<Task?> HandleRequestAsync(HttpContext http)
    {
        var started = _wallClock.GetTimestamp();
        var requestId = Guid.NewGuid().ToString("D");
        var response = http.Response;
        response.Headers["x-amzn-RequestId"] = requestId;

        var target = http.Request.Headers["X-Amz-Target"].ToString();
        if (!_operations.TryGetValue(target, out var operation))
        {
            await ErrorResponses.WriteAsync(response, new KmsError(KmsErrorCode.UnknownOperation, ""));
            _requests.Completed(UnknownOperation, aborted: false, requestId, principalArn: null, keyArn: null, response.StatusCode, KmsErrorCode.UnknownOperation, _wallClock.GetElapsedTime(started));
            return null;
        }

        byte[]? rented = null;
        var ctx = _contexts.Get();
        var audit = AuditStep.None;
        KmsErrorCode? outcome = null;
        var aborted = false;
        var handedOff = false;
        try
        {
            ctx.Start(http, requestId, operation);
            (rented, var length, var tooLarge) = await RequestBody.ReadAsync(http.Request.BodyReader, http.Request.ContentLength, _kms.Options.MaxRequestBodyBytes, http.RequestAborted);
            if (tooLarge)
            {
                outcome = KmsErrorCode.RequestEntityTooLarge;
                await ErrorResponses.WriteAsync(response, new KmsError(
                    KmsErrorCode.RequestEntityTooLarge,
                    $"Request body exceeds the limit of {_kms.Options.MaxRequestBodyBytes} bytes."));
                return null;
            }

            ctx.Body = rented is null ? ReadOnlyMemory<byte>.Empty : rented.AsMemory(0, length);
            var auth = await _verifier.VerifyAsync(http.Request, ctx.Body, operation.Service, http.RequestAborted);
            if (auth.Error is { } authError)
            {
                if (auth.Principal is not null)
                {
                    // A known access key with a bad signature: the identity is known, so the attempt is recorded.
                    ctx.Principal = auth.Principal;
                    ctx.Region = auth.Region!;
                    ctx.AccessKeyId = auth.AccessKeyId!;
                    audit = AuditStep.Pending;
                    await RecordAsync(ctx, authError);
                    audit = AuditStep.Durable;
                }

                outcome = authError.Code;
                await ErrorResponses.WriteAsync(response, authError);
                return null;
            }

            ctx.Principal = auth.Principal!;
            ctx.Region = auth.Region!;
            ctx.AccessKeyId = auth.AccessKeyId!;
            if (http.Request.Headers[OnBehalfOfHeader].ToString() is { Length: > 0 } onBehalfOf
                && await ActOnBehalfAsync(ctx, onBehalfOf) is { } refused)
            {
                // The service is identified: its refused attempt is recorded under its own identity.
                audit = AuditStep.Pending;
                await RecordAsync(ctx, refused);
                audit = AuditStep.Durable;
                outcome = refused.Code;
                await ErrorResponses.WriteAsync(response, refused);
                return null;
            }

            ctx.Facts.Principal = ctx.Principal;
            ctx.Facts.ViaService = ctx.InvokedBy is { } service ? ManagedKeys.ForRegisteredService(service).ViaService(ctx.Region) : null;
            ctx.Facts.Region = ctx.Region;
            // Behind a trusted proxy, ForwardedHeadersMiddleware has already put the client's address and scheme here.
            ctx.Facts.SourceIp = http.Connection.RemoteIpAddress?.ToString();
            ctx.Facts.SecureTransport = http.Request.IsHttps;
            ctx.Facts.Now = _kms.Time.GetUtcNow();

            var error = await operation.Invoke(ctx);
            audit = AuditStep.Pending;
            var durable = RecordAsync(ctx, error);
            handedOff = true;
            return RespondAsync(ctx, durable, error, rented, started);
        }
        catch (Exception exception)
        {
            (outcome, aborted) = OutcomeOf(http, exception, outcome);
            await FailedAsync(http, ctx, operation, requestId, exception, audit);
            return null;
        }
        finally
        {
            if (!handedOff)
            {
                Finish(ctx, operation, requestId, response, rented, started, aborted, outcome);
            }
        }
    }

    /// <summary>
    /// The rest of a request once its handler has run and its event is handed to the audit writer: waits until the
    /// event is durable, then answers with the handler's result. A method of its own so that what is boxed while
    /// the request waits for the sync is only what lives across that wait.
    /// </summary>
    private async Task RespondAsync(RequestContext ctx, ValueTask durable, KmsError? error, byte[]? rented, long started)
    {
        var audit = AuditStep.Pending;
        KmsErrorCode? outcome = null;
        var aborted = false;
        try
        {
            await durable;
            audit = AuditStep.Durable;
            var response = ctx.Http.Response;
            if (error is { } failure)
            {
                outcome = failure.Code;
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.RequestRefused(ctx.RequestId, ctx.Operation.Name, ctx.Principal.Arn, WireErrors.ToWire(failure.Code).Type);
                }
                await ErrorResponses.WriteAsync(response, failure);
                return;
            }

            response.StatusCode = 200;
            response.ContentType = "application/x-amz-json-1.1";
            var body = ctx.ResponseBody;
            if (body.Length == 0)
            {
                body = "{}"u8.ToArray();
            }

            response.ContentLength = body.Length;
            await response.BodyWriter.WriteAsync(body, ctx.Http.RequestAborted);
        }
        catch (Exception exception)
        {
            (outcome, aborted) = OutcomeOf(ctx.Http, exception, outcome);
            await FailedAsync(ctx.Http, ctx, ctx.Operation, ctx.RequestId, exception, audit);
        }
        finally
        {
            Finish(ctx, ctx.Operation, ctx.RequestId, ctx.Http.Response, rented, started, aborted, outcome);
        }
    }

    /// <summary>
    /// What a request that threw ends as in the access log and the metrics, decided before anything is answered (an
    /// answer that fails too leaves it so): aborted when the client went away, with the outcome it had; the 4xx of
    /// a body the client could not send; else an internal error.
    /// </summary>
    private static (KmsErrorCode? Outcome, bool Aborted) OutcomeOf(HttpContext http, Exception exception, KmsErrorCode? outcome) =>
        ClientGone(http, exception) ? (outcome, true)
        : exception is BadHttpRequestException badRequest && !http.Response.HasStarted ? (BodyError(badRequest).Code, false)
        : (KmsErrorCode.Internal, false);

    private static bool ClientGone(HttpContext http, Exception exception) =>
        exception is OperationCanceledException && http.RequestAborted.IsCancellationRequested;

    /// <summary>
    /// A request that threw (<see cref="OutcomeOf"/>): the client gone (nobody to answer), a body it could not send
    /// (a 4xx), or a fault (a 500 that says no more than the request id). What it asked under its identity is still
    /// recorded, unless its event was already handed to the audit writer.
    /// </summary>
    private async ValueTask FailedAsync(HttpContext http, RequestContext ctx, Operation operation, string requestId, Exception exception, AuditStep audit)
    {
        var response = http.Response;
        if (ClientGone(http, exception))
        {
            // The client went away; there is no one to answer. What it asked under its identity is still
            // recorded: the handler may have changed something before it stopped.
            if (audit == AuditStep.None && ctx.Principal is not null)
            {
                await RecordFailureAsync(ctx, new KmsError(KmsErrorCode.Internal, "The request was canceled: the client closed the connection before it was answered."));
            }

            return;
        }

        if (exception is BadHttpRequestException badRequest && !response.HasStarted)
        {
            // The client's fault (a body slower than Kestrel's MinRequestBodyDataRate, or malformed framing): a 4xx and
            // one debug line, never an error with a stack trace per request, which any client could use to flood the log.
            var error = BodyError(badRequest);
            _logger.RequestBodyUnreadable(requestId, operation.Name, badRequest.StatusCode, badRequest.Message);
            response.Clear();
            response.Headers["x-amzn-RequestId"] = requestId;
            await ErrorResponses.WriteAsync(response, error);
            return;
        }

        var failure = new KmsError(KmsErrorCode.Internal, $"An internal error occurred. Request id: {requestId}");
        if (audit == AuditStep.Pending)
        {
            ReportAuditFailure(requestId, operation.Name, exception);
        }
        else
        {
            ReportInternalFailure(requestId, operation.Name, exception);
            if (audit == AuditStep.None && ctx.Principal is not null)
            {
                // Every identified request leaves exactly one event: this one records the failure as the
                // client sees it (never the exception's text, which may name keys or paths).
                await RecordFailureAsync(ctx, failure);
            }
        }

        if (!response.HasStarted)
        {
            response.Clear();
            response.Headers["x-amzn-RequestId"] = requestId;
            await ErrorResponses.WriteAsync(response, failure);
        }
    }

    /// <summary>A request's end, answered or not: counted and logged (before the context is reset: the access log names the caller and the key), its body wiped and returned, its context reused.</summary>
    private void Finish(RequestContext ctx, Operation operation, string requestId, HttpResponse response, byte[]? rented, long started, bool aborted, KmsErrorCode? outcome)
    {
        _requests.Completed(operation.Tags, aborted, requestId, ctx.Principal?.Arn, ctx.ResourceKey?.Arn, response.StatusCode, outcome, _wallClock.GetElapsedTime(started));
        if (rented is not null)
        {
            // Request bodies carry plaintext; wipe before the buffer goes back to the pool.
            Array.Clear(rented);
            ArrayPool<byte>.Shared.Return(rented);
        }

        ctx.Reset();
        _contexts.Return(ctx);
    }

    /// <summary>
    /// An integrated service calls on behalf of a caller: it signs with its own credentials and
    /// names the caller in this header, which must be signed (SigV4Verifier refuses unsigned x-citadel-*
    /// headers). Only principals registered as services may do this; the request is then evaluated as the
    /// caller's, with kms:ViaService set.
    /// </summary>
    public const string OnBehalfOfHeader = "X-Citadel-On-Behalf-Of";

    private async ValueTask<KmsError?> ActOnBehalfAsync(RequestContext ctx, string callerArn)
    {
        var service = ctx.Principal;
        if (service.Type != PrincipalType.Service)
        {
            return new KmsError(KmsErrorCode.AccessDenied, $"User: {service.Arn} is not authorized to act on behalf of another principal: only a registered integrated service may send {OnBehalfOfHeader}.");
        }

        var caller = await _kms.Authorizer.Identities.GetPrincipalAsync(callerArn, ctx.Aborted);
        if (caller is null || caller.Type == PrincipalType.Service)
        {
            return new KmsError(KmsErrorCode.AccessDenied, $"The principal {callerArn} named in {OnBehalfOfHeader} does not exist.");
        }

        ctx.InvokedBy = service.Arn;
        ctx.Principal = caller;
        return null;
    }

    /// <summary>
    /// Records a request that failed before its event was made (an exception in its handler, the client
    /// gone). If the audit cannot take it either, that is logged; the request fails all the same.
    /// </summary>
    private async ValueTask RecordFailureAsync(RequestContext ctx, KmsError failure)
    {
        try
        {
            await RecordAsync(ctx, failure);
        }
        catch (Exception exception)
        {
            ReportAuditFailure(ctx.RequestId, ctx.Operation.Name, exception);
        }
    }

    private void ReportInternalFailure(string requestId, string operation, Exception exception)
    {
        if (_internalFailures.ShouldReport(out var heldBack))
        {
            _logger.RequestFailed(exception, requestId, operation);
            if (heldBack > 0)
            {
                _logger.FailuresHeldBack(heldBack, "internal errors");
            }
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.RequestFailedAgain(requestId, operation, exception.GetType().Name);
        }
    }

    /// <summary>The audit writer logs why it failed (once per batch); here, one line says what it means for requests.</summary>
    private void ReportAuditFailure(string requestId, string operation, Exception exception)
    {
        if (_auditFailures.ShouldReport(out var heldBack))
        {
            _logger.AuditUnavailable(requestId, operation, exception.Message);
            if (heldBack > 0)
            {
                _logger.FailuresHeldBack(heldBack, "audit events not durable");
            }
        }
        else if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.AuditUnavailableAgain(requestId, operation, exception.Message);
        }
    }

    /// <summary>Records the request in the audit trail and waits until the event is durable.</summary>
    private ValueTask RecordAsync(RequestContext ctx, KmsError? error)
    {
        // CloudTrail's own reads (LookupEvents) are not recorded in the trail they read; KMS's and Citadel's calls are.
        if (!_audit.Enabled || ctx.Operation.Service == "cloudtrail")
        {
            return ValueTask.CompletedTask;
        }

        var key = ctx.ResourceKey;
        var operation = ctx.Operation;
        var e = ctx.Audit.Event;
        e.Reset();
        e.EventName = operation.Name;
        e.EventTime = _wallClock.GetUtcNow();
        e.EventId = Guid.CreateVersion7(e.EventTime);
        e.Principal = ctx.Principal;
        e.InvokedBy = ctx.InvokedBy;
        e.AccessKeyId = ctx.AccessKeyId;
        e.AccountId = key?.AccountId ?? ctx.Principal.AccountId;
        e.Region = ctx.Region;
        e.SourceIp = ctx.Http.Connection.RemoteIpAddress;
        e.UserAgent = ctx.Http.Request.Headers.UserAgent.ToString();
        e.RequestId = ctx.RequestId;
        e.ReadOnly = operation.ReadOnly;
        e.RequestBody = ctx.Body;
        e.ResponseBody = error is null && !operation.ReadOnly ? ctx.ResponseBody : default;
        e.ErrorCode = error is { } failure ? WireErrors.ToWire(failure.Code).Type : null;
        e.ErrorMessage = error is { } recorded ? AuditedMessage(recorded) : null;
        e.ResourceArn = key?.Arn;
        e.ResourceAccountId = key?.AccountId;
        e.AdditionalEventData = ctx.AdditionalEventData;
        return _audit.RecordAsync(ctx.Audit);
    }

    /// <summary>
    /// The message the audit trail keeps. A signature mismatch tells the client the canonical request
    /// it should have signed, as AWS does; that holds the SHA-256 of the body, which would let a reader
    /// of the trail confirm a guessed plaintext, so the trail keeps only the first paragraph.
    /// </summary>
    private static string AuditedMessage(KmsError error)
    {
        var message = error.Message;
        var details = error.Code == KmsErrorCode.InvalidSignature ? message.IndexOf("\n\n", StringComparison.Ordinal) : -1;
        return details < 0 ? message : message[..details];
    }

    /// <summary>
    /// Deserializes the body into <typeparamref name="T"/>, validates it against the model (<paramref name="input"/>,
    /// generated from it) and then with <paramref name="validate"/> (rules the model's shapes cannot say), checks the
    /// grant tokens, and runs <paramref name="handle"/> (the pipeline).
    /// </summary>
    public static Func<RequestContext, ValueTask<KmsError?>> Bind<T>(
        JsonTypeInfo<T> typeInfo,
        OperationInput<T> input,
        Validator<T>? validate,
        Func<RequestContext, T, ValueTask<KmsError?>> handle)
        where T : class, new()
    {
        return ctx =>
        {
            T? request;
            try
            {
                request = ctx.Body.Length == 0 ? new T() : JsonSerializer.Deserialize(ctx.Body.Span, typeInfo);
            }
            catch (JsonException exception)
            {
                return ValueTask.FromResult<KmsError?>(new KmsError(KmsErrorCode.Serialization, SerializationMessage(exception.Path)));
            }

            if (request is null)
            {
                // A body of JSON null is not the operation's object, as an array or a number is not (AWS answers SerializationException).
                return ValueTask.FromResult<KmsError?>(new KmsError(KmsErrorCode.Serialization, SerializationMessage("$")));
            }

            // The model's constraints, for every operation in one place: generated from the KMS model (Model/KmsModel.g.cs).
            var validation = new Validation();
            input.Validate(request, ref validation);
            validate?.Invoke(request, ref validation);
            if (validation.ToError() is { } invalid)
            {
                return ValueTask.FromResult<KmsError?>(invalid);
            }

            if (input.GrantTokens?.Invoke(request) is { } tokens && !AreWellFormed(tokens))
            {
                return ValueTask.FromResult<KmsError?>(new KmsError(KmsErrorCode.InvalidGrantToken, "Invalid grant token."));
            }

            return handle(ctx, request);
        };
    }

    /// <summary>Grant tokens take effect at once here, so a token only has to be well formed (<see cref="GrantTokens.TryParse"/>).</summary>
    private static bool AreWellFormed(List<string> tokens)
    {
        foreach (var token in tokens)
        {
            if (!GrantTokens.TryParse(token, out _, out _))
            {
                return false;
            }
        }

        return true;
    }

    private static string SerializationMessage(string? path) =>
        path is not null ? $"Could not read the request body at '{path}': the value is not of the type the operation expects." : "The request body is not valid JSON.";

    /// <summary>
    /// What an AWS front end answers for a body it could not read: RequestTimeoutException (408, retried by the SDKs as
    /// a transient error) when it did not arrive in time, SerializationException for broken framing.
    /// </summary>
    private static KmsError BodyError(BadHttpRequestException exception) => exception.StatusCode == StatusCodes.Status408RequestTimeout
        ? new KmsError(KmsErrorCode.RequestTimeout, "The request body did not arrive in time: fewer bytes than its Content-Length were received.")
        : new KmsError(KmsErrorCode.Serialization, $"The request body could not be read: {exception.Message}");

    private sealed class ContextPolicy(KmsRuntime kms) : IPooledObjectPolicy<RequestContext>
    {
        public RequestContext Create() => new(kms);

        public bool Return(RequestContext obj) => true;
    }
}
