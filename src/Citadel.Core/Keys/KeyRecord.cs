namespace Citadel.Core.Keys;

/// <summary>
/// A KMS key's metadata as stored. Immutable: a change is a new record (<c>with</c>) written
/// with optimistic concurrency on <see cref="RowVersion"/>.
/// </summary>
public sealed record KeyRecord
{
    private readonly KeyId _id;
    private readonly string _accountId = "";
    private readonly string _region = "";

    public required KeyId Id
    {
        get => _id;
        init
        {
            _id = value;
            Arn = Arns.Key(_region, _accountId, _id);
        }
    }

    public required string AccountId
    {
        get => _accountId;
        init
        {
            _accountId = value;
            Arn = Arns.Key(_region, _accountId, _id);
        }
    }

    public required string Region
    {
        get => _region;
        init
        {
            _region = value;
            Arn = Arns.Key(_region, _accountId, _id);
        }
    }

    /// <summary>The key ARN, derived from region, account and id whenever one of them is set (so equality and <c>with</c> stay consistent).</summary>
    public string Arn { get; private init; } = "";

    public required DateTimeOffset CreatedAt { get; init; }

    public required KeyState State { get; init; }

    public string Description { get; init; } = "";

    public KeySpec Spec { get; init; } = KeySpec.SymmetricDefault;

    public KeyUsage Usage { get; init; } = KeyUsage.EncryptDecrypt;

    public KeyOrigin Origin { get; init; } = KeyOrigin.AwsKms;

    public KeyManager Manager { get; init; } = KeyManager.Customer;

    /// <summary>The key policy document, as given or defaulted.</summary>
    public required string Policy { get; init; }

    /// <summary>When a key pending deletion is deleted.</summary>
    public DateTimeOffset? DeletionDate { get; init; }

    public int? PendingWindowInDays { get; init; }

    /// <summary>The key-material version used for new ciphertexts; older versions stay for decryption.</summary>
    public int CurrentMaterialVersion { get; init; } = 1;

    /// <summary>Id of the current key material (64 hex characters, CurrentKeyMaterialId in the model).</summary>
    public string CurrentKeyMaterialId { get; init; } = "";

    public bool RotationEnabled { get; init; }

    public int? RotationPeriodInDays { get; init; }

    public DateTimeOffset? NextRotationAt { get; init; }

    /// <summary>Incremented by the store on every update; used for optimistic concurrency.</summary>
    public long RowVersion { get; init; }
}
