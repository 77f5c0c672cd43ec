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
    private readonly RegionList _replicaRegions = RegionList.Empty;

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

    /// <summary>
    /// For a multi-Region key (<c>mrk-</c> id), the Region of its set's primary key (its own when it is the primary);
    /// null for a single-Region key. Every key of the set carries the set's Regions, so KeyMetadata needs no other read.
    /// </summary>
    public string? PrimaryRegion { get; init; }

    /// <summary>The Regions of the set's replica keys (multi-Region keys only), in the order they were replicated.</summary>
    public IReadOnlyList<string> ReplicaRegions
    {
        get => _replicaRegions;
        init => _replicaRegions = RegionList.Of(value);
    }

    /// <summary>When a transient state (Creating, Updating) ends; the multi-Region job completes it then.</summary>
    public DateTimeOffset? TransitionAt { get; init; }

    public bool IsMultiRegion => Id.IsMultiRegion;

    /// <summary>The primary key of a multi-Region set.</summary>
    public bool IsPrimary => PrimaryRegion is not null && PrimaryRegion == Region;

    /// <summary>A replica key of a multi-Region set.</summary>
    public bool IsReplica => PrimaryRegion is not null && PrimaryRegion != Region;

    /// <summary>Incremented by the store on every update; used for optimistic concurrency.</summary>
    public long RowVersion { get; init; }
}
