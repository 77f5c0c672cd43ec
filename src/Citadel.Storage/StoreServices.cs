using Microsoft.Extensions.DependencyInjection;

namespace Citadel.Storage;

/// <summary>Registers a store under each contract it serves, explicitly: a component asks for the aggregate it needs, and nothing casts.</summary>
public static class StoreServices
{
    /// <summary>
    /// The service key of the store's own audit trail (<see cref="IAuditStore"/>): the server registers
    /// the request-facing reads over it without a key, and its writer and stream take this one.
    /// </summary>
    public const string AuditTrail = "Citadel.Storage.AuditTrail";

    /// <summary>
    /// Registers the store <paramref name="create"/> makes (once, a singleton) as <see cref="IStore"/>
    /// and as each aggregate's contract: <see cref="IKeyStore"/>, <see cref="IKeyMaterialStore"/>,
    /// <see cref="IAliasStore"/>, <see cref="IGrantStore"/>, <see cref="IIdentityStore"/>,
    /// <see cref="IAccessKeyLookup"/>, <see cref="IRootKeyStore"/>, <see cref="IStoreStatistics"/>, and the
    /// audit trail keyed <see cref="AuditTrail"/>. Registered again, the last store wins for every contract.
    /// </summary>
    public static IServiceCollection AddCitadelStore<TStore>(this IServiceCollection services, Func<IServiceProvider, TStore> create)
        where TStore : class, IStore, IAuditStore, IStoreStatistics
    {
        services.AddSingleton(create);
        services.AddSingleton<IStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IKeyStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IKeyMaterialStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IAliasStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IGrantStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IIdentityStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IRoleStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IIamEntityStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IAccessKeyLookup>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IRootKeyStore>(sp => sp.GetRequiredService<TStore>());
        services.AddSingleton<IStoreStatistics>(sp => sp.GetRequiredService<TStore>());
        services.AddKeyedSingleton<IAuditStore>(AuditTrail, (sp, _) => sp.GetRequiredService<TStore>());
        return services;
    }
}
