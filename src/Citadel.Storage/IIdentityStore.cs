using Citadel.Core.Identity;

namespace Citadel.Storage;

/// <summary>Accounts, principals (users and roles), access keys and identity policies.</summary>
public interface IIdentityStore : IAccessKeyLookup
{
    /// <summary>Inserts the access key, or replaces the one with the same id.</summary>
    Task PutAccessKeyAsync(AccessKeyRecord accessKey, CancellationToken ct);

    Task<IReadOnlyList<AccessKeyRecord>> ListAccessKeysAsync(string? principalArn, CancellationToken ct);

    Task<StoreOutcome> DeleteAccessKeyAsync(string accessKeyId, CancellationToken ct);

    /// <summary>Creates an account (its root principal too). AlreadyExists if it is there.</summary>
    Task<StoreOutcome> CreateAccountAsync(string accountId, DateTimeOffset now, CancellationToken ct);

    Task<IReadOnlyList<string>> ListAccountsAsync(CancellationToken ct);

    /// <summary>Creates a user or role. NotFound when its account does not exist; AlreadyExists when the ARN does.</summary>
    Task<StoreOutcome> CreatePrincipalAsync(PrincipalRecord principal, CancellationToken ct);

    Task<PrincipalRecord?> GetPrincipalAsync(string arn, CancellationToken ct);

    Task<IReadOnlyList<PrincipalRecord>> ListPrincipalsAsync(string accountId, CancellationToken ct);

    /// <summary>Deletes a user or role with its access keys and identity policies.</summary>
    Task<StoreOutcome> DeletePrincipalAsync(string arn, CancellationToken ct);

    /// <summary>Attaches (or replaces) a named identity policy. NotFound when the principal does not exist.</summary>
    Task<StoreOutcome> PutIdentityPolicyAsync(IdentityPolicyRecord policy, CancellationToken ct);

    Task<StoreOutcome> DeleteIdentityPolicyAsync(string principalArn, string name, CancellationToken ct);

    Task<IReadOnlyList<IdentityPolicyRecord>> ListIdentityPoliciesAsync(string principalArn, CancellationToken ct);

    /// <summary>A number that grows with every change of identities, access keys or identity policies; caches compare it to know when to reload.</summary>
    Task<long> GetIdentityVersionAsync(CancellationToken ct);
}
