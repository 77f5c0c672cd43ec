using Citadel.Core.Keys;

namespace Citadel.Core.Grants;

/// <summary>Grant constraints: the encryption context a request must carry for the grant to apply.</summary>
public sealed record GrantConstraints(
    IReadOnlyDictionary<string, string>? EncryptionContextEquals,
    IReadOnlyDictionary<string, string>? EncryptionContextSubset);

/// <summary>A grant on a key: a principal may perform some operations, under constraints, until retired or revoked.</summary>
public sealed record GrantRecord(
    string GrantId,
    KeyId KeyId,
    string Name,
    string GranteePrincipal,
    string? RetiringPrincipal,
    string IssuingAccount,
    IReadOnlyList<string> Operations,
    GrantConstraints? Constraints,
    DateTimeOffset CreatedAt);
