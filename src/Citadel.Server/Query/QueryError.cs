namespace Citadel.Server.Query;

/// <summary>
/// An error of the AWS query protocol (STS, IAM): the code, the message, the HTTP status, and whose fault
/// it is (Type Sender or Receiver in &lt;ErrorResponse&gt;). Codes are strings because each service has its own
/// (IAM's NoSuchEntity, STS's MalformedPolicyDocument); the common ones are made in <see cref="QueryErrors"/>.
/// </summary>
internal readonly record struct QueryError(string Code, string Message, int Status = 400, bool Sender = true);

/// <summary>The errors every query service shares, with AWS's codes, statuses and wording.</summary>
internal static class QueryErrors
{
    public static QueryError MissingAction() => new("MissingAction", "Missing Action");

    /// <summary>An unknown Action, or a Version the service does not have: AWS answers both this way.</summary>
    public static QueryError InvalidAction(string action, string? version) =>
        new("InvalidAction", $"Could not find operation {action} for version {(string.IsNullOrEmpty(version) ? "NO_VERSION_SPECIFIED" : version)}");

    public static QueryError Malformed(string message) => new("MalformedInput", message);

    public static QueryError Validation(string message) => new("ValidationError", message);

    public static QueryError MissingParameter(string name) => new("ValidationError", $"1 validation error detected: Value null at '{LowerFirst(name)}' failed to satisfy constraint: Member must not be null");

    public static QueryError AccessDenied(string message) => new("AccessDenied", message, 403);

    public static QueryError TooLarge(int limit) => new("RequestEntityTooLarge", $"Request body exceeds the limit of {limit} bytes.", 413);

    public static QueryError Internal(string requestId) => new("InternalFailure", $"An internal error occurred. Request id: {requestId}", 500, Sender: false);

    /// <summary>AWS's member names in validation messages: lower camel case ('roleSessionName').</summary>
    public static string LowerFirst(string name) => name.Length == 0 ? name : string.Concat(char.ToLowerInvariant(name[0]).ToString(), name.AsSpan(1));
}
