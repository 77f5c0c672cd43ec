using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Protocol;

/// <summary>The key states in which an operation may use its key, checked by the pipeline after authorization.</summary>
internal enum KeyStates
{
    /// <summary>Any state (descriptions, listings; state changes whose rules are the state machine's, in Core).</summary>
    Any,

    /// <summary>Enabled only: DisabledException or KMSInvalidStateException otherwise (<see cref="KeyStateRules.CheckCryptographicUse"/>).</summary>
    CryptographicUse,

    /// <summary>Enabled, Disabled or PendingImport (<see cref="KeyStateRules.CheckManageable"/>).</summary>
    Manageable,

    /// <summary>Any state but PendingDeletion.</summary>
    NotPendingDeletion,
}

/// <summary>Finds the key of a request some other way than by its key member; a null key means the request names none (nothing to authorize).</summary>
internal delegate ValueTask<Result<KeyRecord?>> KeyLocator<in T>(RequestContext ctx, T request);

/// <summary>Checks a request and its key(s) beyond the model; null when it may go on.</summary>
internal delegate KmsError? KeyCheck<in T>(Caller caller, T request, KeyRecord? key);

/// <summary>
/// An operation's own work, once the pipeline has resolved, authorized and checked its key: the typed request, the
/// caller and the key in, the typed response or an error out; no HTTP. The protocol writes the response
/// (<see cref="IResponse.WriteTo"/>), which also wipes whatever secret it holds.
/// </summary>
internal delegate ValueTask<Result<TResponse>> OperationService<in T, TResponse>(KmsRuntime kms, T request, Caller caller, KeyRecord? key, CancellationToken ct)
    where TResponse : IResponse;

/// <summary>
/// An action authorized by identity policies on a resource of an account in a Region (aws:RequestedRegion is that Region);
/// a resource of another account than the caller's is refused, as for every action only identity policies govern.
/// </summary>
internal readonly record struct RegionalAction(string Action, string Resource, string Account, string Region);

/// <summary>An authorization rule of its own, instead of the key's policies and grants (RetireGrant).</summary>
internal delegate ValueTask<KmsError?> KeyAuthorization<in T>(RequestContext ctx, T request, KeyRecord key);

/// <summary>
/// How one operation is run, declared once (Operations.cs); <see cref="Pipeline"/> executes it in this order:
/// <list type="number">
/// <item><see cref="Admit"/>: rules beyond the model that need no key;</item>
/// <item>the condition-key facts: the model's encryption context, then <see cref="Facts"/>;</item>
/// <item><see cref="Identity"/>: an action only identity policies govern, on its resource;</item>
/// <item>the key: <see cref="Locate"/>, or the model's key member (aliases only if <see cref="AliasAllowed"/>), then
/// authorization of <see cref="Action"/> on it (or <see cref="Authorize"/>), <see cref="BeforeState"/>, the key
/// usage (<see cref="Usage"/>) and then the state (<see cref="States"/>): AWS reports a key of the wrong usage as
/// such even when its state would refuse it too;</item>
/// <item><see cref="AliasResource"/>: the alias the request creates, changes or deletes, by identity policies;</item>
/// <item><see cref="KeyIdentity"/>: what the request does beyond its key in another Region, by identity policies;</item>
/// <item>the second key (<see cref="SecondAction"/>): the model's second key member or <see cref="LocateSecond"/>, authorized;</item>
/// <item><see cref="Check"/>, then DryRun when the model has it and the request sets it;</item>
/// <item>the service (<see cref="OperationService{T, TResponse}"/>).</item>
/// </list>
/// </summary>
internal sealed class OperationSpec<T>
    where T : class
{
    /// <summary>The operation reads and changes nothing (CloudTrail's readOnly).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The SigV4 service and IAM action namespace: kms, cloudtrail for LookupEvents, citadel for Citadel's own operations (GetAuditChainStatus).</summary>
    public string Service { get; init; } = "kms";

    /// <summary>The IAM action authorized on the key, when it is not kms:&lt;operation&gt; (ReEncrypt: kms:ReEncryptFrom).</summary>
    public string? Action { get; init; }

    /// <summary>Validation beyond the model that the model's shape cannot say (Decrypt's required ciphertext, LookupEvents).</summary>
    public Validator<T>? Validate { get; init; }

    public Func<Caller, T, KmsError?>? Admit { get; init; }

    public Action<RequestFacts, T>? Facts { get; init; }

    /// <summary>Authorize the action by identity policies on this resource (and its account; null: the caller's) before any key.</summary>
    public Func<Caller, T, (string Resource, string? Account)>? Identity { get; init; }

    public bool AliasAllowed { get; init; }

    public KeyLocator<T>? Locate { get; init; }

    public KeyAuthorization<T>? Authorize { get; init; }

    public KeyCheck<T>? BeforeState { get; init; }

    public KeyUsage? Usage { get; init; }

    public KeyStates States { get; init; }

    /// <summary>The ARN of the alias the request names, authorized by identity policies after the key.</summary>
    public Func<Caller, T, string>? AliasResource { get; init; }

    /// <summary>
    /// Actions the request needs beyond its key, authorized by identity policies after it, each in its Region (ReplicateKey:
    /// kms:CreateKey, and kms:TagResource when it tags, on the replica in the replica Region).
    /// </summary>
    public Func<Caller, T, KeyRecord, IReadOnlyList<RegionalAction>>? KeyIdentity { get; init; }

    /// <summary>The IAM action on the second key, if the operation has one (ReEncrypt: kms:ReEncryptTo; UpdateAlias: the alias's current key).</summary>
    public string? SecondAction { get; init; }

    public bool SecondAliasAllowed { get; init; }

    public KeyLocator<T>? LocateSecond { get; init; }

    /// <summary>The facts of the second key's authorization (ReEncrypt: the destination's context and algorithm).</summary>
    public Action<RequestFacts, T, KeyRecord, KeyRecord>? SecondFacts { get; init; }

    public KeyCheck<T>? Check { get; init; }
}
