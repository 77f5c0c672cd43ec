using Citadel.Core.Policies;

namespace Citadel.Server.Query;

/// <summary>
/// An operation of a query-protocol service (STS, IAM), declared once: what the endpoint needs to run every rule
/// around it. The endpoint authenticates, authorizes <see cref="Action"/> on <see cref="Resource"/> (with the
/// resource's own policy, e.g. a role's trust policy, when <see cref="ResourcePolicy"/> gives one), runs the
/// handler and records one audit event with the <see cref="AuditedParameters"/> only. Handlers never authorize.
/// </summary>
/// <param name="Service">The signing name and IAM prefix: sts or iam.</param>
/// <param name="Name">The Action, e.g. AssumeRole.</param>
/// <param name="ReadOnly">CloudTrail's readOnly.</param>
/// <param name="Invoke">The handler: reads <see cref="QueryContext.Form"/>, writes the result members, or returns an error.</param>
internal sealed record QueryOperation(string Service, string Name, bool ReadOnly, Func<QueryContext, ValueTask<QueryError?>> Invoke)
{
    /// <summary>The IAM action, e.g. sts:AssumeRole.</summary>
    public string Action { get; } = $"{Service}:{Name}";

    /// <summary>
    /// Checks the parameters before anything else (AWS answers a ValidationError before AccessDenied) and sets the
    /// request's condition-key facts (<see cref="QueryContext.Facts"/>) that authorization reads; null when valid.
    /// </summary>
    public Func<QueryContext, QueryError?>? Validate { get; init; }

    /// <summary>
    /// The ARN the action is authorized on, from the request (a role, a user); null for an operation that
    /// needs no permission (GetCallerIdentity: "No permissions are required to perform this operation").
    /// </summary>
    public Func<QueryContext, string?>? Resource { get; init; }

    /// <summary>
    /// As <see cref="Resource"/>, for a resource whose ARN must be looked up (an IAM user or role named by the
    /// request: its ARN carries its path, and policies match on that). Used when set, instead of <see cref="Resource"/>.
    /// </summary>
    public Func<QueryContext, ValueTask<string?>>? ResourceAsync { get; init; }

    /// <summary>The resource's own policy (a role's trust policy), evaluated as a key policy is; null for none.</summary>
    public Func<QueryContext, ValueTask<Policy?>>? ResourcePolicy { get; init; }

    /// <summary>Whether it is answered without a signature (AssumeRoleWithWebIdentity: the token is the credential).</summary>
    public bool Anonymous { get; init; }

    /// <summary>
    /// For an anonymous operation: establishes the caller from the request itself (a web identity token) after
    /// <see cref="Validate"/> and before authorization, setting <see cref="QueryContext.Principal"/>; an error refuses.
    /// </summary>
    public Func<QueryContext, ValueTask<QueryError?>>? Authenticate { get; init; }

    /// <summary>
    /// The request parameters the audit trail records, as sent (e.g. RoleArn); recorded in lower camel case as
    /// CloudTrail does. Anything else — tokens, secrets, documents AWS leaves out — is never recorded.
    /// </summary>
    public IReadOnlyList<string> AuditedParameters { get; init; } = [];

    /// <summary>The labels of this operation's metrics, built once.</summary>
    public Observability.OperationTags Tags { get; } = new(Name);
}
