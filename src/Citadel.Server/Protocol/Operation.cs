using Citadel.Core.Errors;
using Citadel.Core.Keys;

namespace Citadel.Server.Protocol;

/// <summary>An operation of the API: its AWS name, the IAM action it needs, and its pipeline.</summary>
internal sealed record Operation(string Name, string Service, bool ReadOnly, Func<RequestContext, ValueTask<KmsError?>> Invoke)
{
    /// <summary>The IAM action, e.g. kms:Encrypt.</summary>
    public string Action { get; } = $"{Service}:{Name}";

    /// <summary>The labels of this operation's metrics, built once.</summary>
    public Observability.OperationTags Tags { get; } = new(Name);

    /// <summary>What the pipeline does for it, from its declaration and the model (for tests and documentation).</summary>
    public OperationDescription? Description { get; init; }
}

/// <summary>An operation's declaration as data: what <see cref="Pipeline"/> checks before its handler runs.</summary>
internal sealed record OperationDescription(
    string KeyAction,
    IReadOnlyList<string> KeyMembers,
    bool AliasAllowed,
    KeyUsage? Usage,
    KeyStates States,
    bool DryRun,
    bool GrantTokens,
    bool EncryptionContext,
    IReadOnlyList<string> Secrets,
    string? SecondKeyAction);
