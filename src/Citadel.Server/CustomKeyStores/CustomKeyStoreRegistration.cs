using Citadel.Core.Crypto;
using Citadel.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Citadel.Server.CustomKeyStores;

/// <summary>Registers the custom key store options (section <c>CustomKeyStores</c>, validated at start), the XKS client and the service.</summary>
internal static class CustomKeyStoreRegistration
{
    public static void AddOptions(IServiceCollection services)
    {
        services.AddOptions<CustomKeyStoreOptions>().BindConfiguration("CustomKeyStores").ValidateOnStart();
        services.AddSingleton<IValidateOptions<CustomKeyStoreOptions>, CustomKeyStoreOptionsValidator>();
    }

    /// <summary>The client and the service; the XKS client signs with the wall clock (SigV4 dates), never the development key clock.</summary>
    public static void AddServices(IServiceCollection services)
    {
        services.AddSingleton(sp => new XksClient(sp.GetRequiredService<IOptions<CustomKeyStoreOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new CustomKeyStoreService(
            sp.GetRequiredService<IStore>(),
            sp.GetRequiredService<ISeal>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<XksClient>(),
            sp.GetRequiredService<IOptions<CustomKeyStoreOptions>>().Value.MaxStoresPerRegion));
    }
}

/// <summary>Checks <see cref="CustomKeyStoreOptions"/>, every failure at once.</summary>
internal sealed class CustomKeyStoreOptionsValidator : IValidateOptions<CustomKeyStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, CustomKeyStoreOptions options)
    {
        var failures = new List<string>();
        if (options.ProxyTimeout <= TimeSpan.Zero)
        {
            failures.Add($"CustomKeyStores.ProxyTimeout must be positive, but was {options.ProxyTimeout}.");
        }

        if (options.MaxStoresPerRegion < 1)
        {
            failures.Add($"CustomKeyStores.MaxStoresPerRegion must be at least 1, but was {options.MaxStoresPerRegion}.");
        }

        if (options.ProxyPort is < 1 or > 65535)
        {
            failures.Add($"CustomKeyStores.ProxyPort must be a TCP port (1-65535), but was {options.ProxyPort}.");
        }

        if (options.TrustedCertificateAuthoritiesFile is { } file && !File.Exists(file))
        {
            failures.Add($"CustomKeyStores.TrustedCertificateAuthoritiesFile '{file}' does not exist: give the path of a PEM file of CA certificates, or leave it unset to trust the system's.");
        }

        if ((options.ClientCertificateFile is null) != (options.ClientKeyFile is null))
        {
            failures.Add("CustomKeyStores.ClientCertificateFile and CustomKeyStores.ClientKeyFile go together: give both PEM files (the client certificate and its private key), or neither.");
        }

        foreach (var (option, path) in new[] { ("ClientCertificateFile", options.ClientCertificateFile), ("ClientKeyFile", options.ClientKeyFile) })
        {
            if (path is not null && !File.Exists(path))
            {
                failures.Add($"CustomKeyStores.{option} '{path}' does not exist: give the path of a PEM file.");
            }
        }

        if (options.ClientCertificateFile is { } certificate && options.ClientKeyFile is { } key && File.Exists(certificate) && File.Exists(key))
        {
            try
            {
                using var loaded = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key);
            }
            catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                failures.Add($"CustomKeyStores.ClientCertificateFile '{certificate}' and ClientKeyFile '{key}' do not load as a PEM certificate and its unencrypted private key: {exception.Message.TrimEnd('.')}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
