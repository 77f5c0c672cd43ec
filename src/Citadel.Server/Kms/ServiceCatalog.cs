using Citadel.Core.Identity;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// The integrated services this server knows: AWS's predefined ones and the services an operator
/// registered (principals of type Service). Each has an AWS managed key per account and region.
/// </summary>
internal sealed class ServiceCatalog(IStore store)
{
    private IReadOnlyList<ManagedService>? _registered;

    public async ValueTask<IReadOnlyList<ManagedService>> AllAsync(CancellationToken ct)
    {
        var registered = _registered ??= (await store.ListPrincipalsAsync("", ct))
            .Where(p => p.Type == PrincipalType.Service)
            .Select(p => ManagedKeys.ForRegisteredService(p.Arn))
            .ToList();
        return ManagedKeys.BuiltIn.Concat(registered).DistinctBy(s => s.AliasSuffix).ToList();
    }

    public async ValueTask<ManagedService?> FindByAliasAsync(string aliasName, CancellationToken ct)
    {
        if (!aliasName.StartsWith(Aliases.AwsPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var suffix = aliasName[Aliases.AwsPrefix.Length..];
        return (await AllAsync(ct)).FirstOrDefault(s => s.AliasSuffix == suffix);
    }

    /// <summary>Forget the registered services (identities changed).</summary>
    public void Clear() => _registered = null;
}
