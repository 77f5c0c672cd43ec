namespace Citadel.Server.Protocol;

/// <summary>
/// What the KMS model says of one operation's input, generated from the model (Model/KmsModel.g.cs, <c>KmsModel.Inputs</c>):
/// its validation, the members that name keys, DryRun, GrantTokens, the encryption context and the secret members.
/// The pipeline reads these; nothing here is written by hand for a KMS operation.
/// </summary>
internal sealed class OperationInput<T>(string name, Validator<T> validate)
    where T : class
{
    /// <summary>The operation's AWS name.</summary>
    public string Name { get; } = name;

    /// <summary>The model's constraints on the input.</summary>
    public Validator<T> Validate { get; } = validate;

    /// <summary>The members whose shape is KeyIdType, in the model's order.</summary>
    public string[] KeyMembers { get; init; } = [];

    /// <summary>The first key member (KeyId, TargetKeyId or SourceKeyId).</summary>
    public Func<T, string?>? Key { get; init; }

    /// <summary>The second key member: ReEncrypt's DestinationKeyId.</summary>
    public Func<T, string?>? SecondKey { get; init; }

    public Func<T, bool?>? DryRun { get; init; }

    public Func<T, List<string>?>? GrantTokens { get; init; }

    /// <summary>The encryption context that goes with the first key (ReEncrypt: the source's).</summary>
    public Func<T, Dictionary<string, string>?>? EncryptionContext { get; init; }

    /// <summary>The encryption context that goes with the second key (ReEncrypt: the destination's).</summary>
    public Func<T, Dictionary<string, string>?>? SecondEncryptionContext { get; init; }

    /// <summary>Members whose values are secret (sensitive in the model, or grant tokens): never echoed, logged or audited.</summary>
    public string[] Secrets { get; init; } = [];
}
