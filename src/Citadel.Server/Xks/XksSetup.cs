using Citadel.Core.Crypto;
using Citadel.Server.Audit;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.SigV4;
using Citadel.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Xks;

/// <summary>Registers and maps the XKS proxy API, and creates the development server's logical key store.</summary>
public static class XksSetup
{
    /// <summary>The development store: well known, as the development KMS credentials are.</summary>
    public const string DevStoreName = "dev";

    public const string DevUriPrefix = "/xks/dev";

    public const string DevAccessKeyId = "CITADELDEVXKSACCESSKEY";

    public const string DevSecretAccessKey = "CitadelDevXksSecretAccessKeyNotForProduction0";

    internal static void Add(IServiceCollection services)
    {
        services.AddSingleton(sp => new XksDirectory(
            sp.GetRequiredService<IStore>(),
            sp.GetRequiredService<ISeal>(),
            sp.GetRequiredService<IdentityDirectory>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new XksEndpoint(
            sp.GetRequiredService<SigV4Verifier>(),
            sp.GetRequiredService<XksDirectory>(),
            sp.GetRequiredService<KmsRuntime>(),
            sp.GetRequiredService<AuditWriter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<XksEndpoint>>())
        {
            ClientCertificates = sp.GetService<XksClientCertificates>(),
        });
    }

    /// <summary>Every path with /kms/xks/ in it goes to the XKS endpoint, whatever its URI prefix (stores change at run time).</summary>
    internal static void Map(WebApplication app)
    {
        var xks = app.Services.GetRequiredService<XksEndpoint>();
        app.Use(next => http => XksEndpoint.IsXksPath(http.Request.Path) ? xks.HandleAsync(http) : next(http));
    }

    /// <summary>The development store in the development account, with its well-known credential; idempotent.</summary>
    internal static async Task EnsureDevStoreAsync(IStore store, ISeal seal, TimeProvider time, string accountId, CancellationToken ct)
    {
        var admin = new XksAdmin(store, seal, time);
        // Nodes of one database start together: another may create the store or its credential between the look and
        // the write, so a failed write is a failure only if what it was to create is still not there.
        if (!(await admin.FindStoreAsync(DevStoreName, ct)).IsSuccess)
        {
            var created = await admin.CreateStoreAsync(accountId, DevStoreName, DevUriPrefix, ct);
            if (!created.IsSuccess && !(await admin.FindStoreAsync(DevStoreName, ct)).IsSuccess)
            {
                Check(created);
            }
        }

        if (await store.FindAccessKeyAsync(DevAccessKeyId, ct) is null)
        {
            var added = await admin.AddCredentialAsync(DevStoreName, DevAccessKeyId, DevSecretAccessKey, ct);
            if (!added.IsSuccess && await store.FindAccessKeyAsync(DevAccessKeyId, ct) is null)
            {
                Check(added);
            }
        }
    }

    private static void Check<T>(Core.Errors.Result<T> result)
    {
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"The development XKS key store could not be created: {result.Error!.Value.Message}");
        }
    }
}
