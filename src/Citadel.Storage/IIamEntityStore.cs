using Citadel.Core.Identity;
using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>
/// What the IAM API keeps beyond principals, access keys and identity policies: paths, role attributes,
/// tags of users and roles, and access key status. Every write moves the identity version, as the
/// principal writes of <see cref="IStore"/> do, so every node's caches see it. User and role names
/// compare ignoring case (IAM does not distinguish them by case), within an account and a type.
/// </summary>
public interface IIamEntityStore
{
    /// <summary>
    /// Creates a user or role with its attributes and tags in one transaction. NotFound when the account
    /// does not exist; AlreadyExists when one of that type has the name (in any case, on any path).
    /// </summary>
    Task<StoreOutcome> CreateIamEntityAsync(IamEntity entity, IReadOnlyList<Tag> tags, CancellationToken ct);

    /// <summary>A user or role by name, ignoring case; null when there is none.</summary>
    Task<IamEntity?> FindIamEntityAsync(string accountId, PrincipalType type, string name, CancellationToken ct);

    /// <summary>The users or roles of an account, ordered by name (ordinal).</summary>
    Task<IReadOnlyList<IamEntity>> ListIamEntitiesAsync(string accountId, PrincipalType type, CancellationToken ct);

    /// <summary>Replaces the description, trust policy and maximum session duration of a user or role. NotFound when it does not exist.</summary>
    Task<StoreOutcome> UpdateIamEntityAsync(IamEntity entity, CancellationToken ct);

    /// <summary>The tags of a user or role, ordered by key.</summary>
    Task<IReadOnlyList<Tag>> ListPrincipalTagsAsync(string principalArn, CancellationToken ct);

    /// <summary>
    /// Adds or overwrites <paramref name="upsert"/> and removes <paramref name="remove"/> in one transaction.
    /// NotFound when the principal does not exist; LimitExceeded (and nothing changed) when it would then have
    /// more than <paramref name="limit"/> tags.
    /// </summary>
    Task<StoreOutcome> ChangePrincipalTagsAsync(string principalArn, IReadOnlyList<Tag> upsert, IReadOnlyList<string> remove, int limit, CancellationToken ct);

    /// <summary>
    /// Creates an Active access key. NotFound when its principal does not exist; LimitExceeded (and nothing
    /// created) when the principal has <paramref name="limit"/> keys already; AlreadyExists when the id is taken.
    /// </summary>
    Task<StoreOutcome> CreateAccessKeyAsync(AccessKeyRecord accessKey, int limit, CancellationToken ct);

    /// <summary>The access keys of a principal with their status, ordered by creation then id.</summary>
    Task<IReadOnlyList<AccessKeyMetadata>> ListAccessKeyMetadataAsync(string principalArn, CancellationToken ct);

    /// <summary>Sets the status of a principal's access key. NotFound when the principal has no key of that id.</summary>
    Task<StoreOutcome> SetAccessKeyStatusAsync(string principalArn, string accessKeyId, AccessKeyStatus status, CancellationToken ct);
}
