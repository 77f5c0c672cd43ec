using Citadel.Core.Errors;

namespace Citadel.Server.Protocol;

/// <summary>An operation of the API: its AWS name, the IAM action it needs, and its handler.</summary>
internal sealed record Operation(string Name, string Service, bool ReadOnly, Func<RequestContext, ValueTask<KmsError?>> Invoke)
{
    /// <summary>The IAM action, e.g. kms:Encrypt.</summary>
    public string Action { get; } = $"{(Service == "cloudtrail" ? "cloudtrail" : "kms")}:{Name}";

    /// <summary>The labels of this operation's metrics, built once.</summary>
    public Observability.OperationTags Tags { get; } = new(Name);
}
