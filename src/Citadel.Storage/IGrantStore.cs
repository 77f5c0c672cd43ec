using Citadel.Core.Grants;
using Citadel.Core.Keys;

namespace Citadel.Storage;

/// <summary>Grants on keys.</summary>
public interface IGrantStore
{
    /// <summary>Creates a grant. NotFound when the key does not exist.</summary>
    Task<StoreOutcome> CreateGrantAsync(GrantRecord grant, CancellationToken ct);

    Task<IReadOnlyList<GrantRecord>> ListGrantsAsync(KeyId key, CancellationToken ct);

    Task<IReadOnlyList<GrantRecord>> ListGrantsByRetiringPrincipalAsync(string retiringPrincipal, CancellationToken ct);

    Task<StoreOutcome> DeleteGrantAsync(KeyId key, string grantId, CancellationToken ct);
}
