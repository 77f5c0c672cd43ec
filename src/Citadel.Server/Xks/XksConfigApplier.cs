using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Xks;

/// <summary>
/// Creates or updates the logical key stores a configuration file declares, after its identities and the seed file's
/// keys: a missing store is created, a changed URI prefix is set, missing credentials are added and the keys allowed.
/// Idempotent. Stores, credentials and keys added with `citadel xks` stay; the file adds, it does not remove.
/// </summary>
internal static class XksConfigApplier
{
    public static async Task ApplyAsync(IReadOnlyList<XksStoreConfig> stores, IStore store, ISeal seal, TimeProvider time, CancellationToken ct)
    {
        var admin = new XksAdmin(store, seal, time);
        var problems = new List<string>();
        foreach (var config in stores)
        {
            var found = await admin.FindStoreAsync(config.Name, ct);
            if (!found.IsSuccess)
            {
                found = await admin.CreateStoreAsync(config.Account, config.Name, config.UriPrefix, ct);
                if (!Check(found, config, problems))
                {
                    continue;
                }
            }
            else if (found.Value.AccountId != config.Account)
            {
                problems.Add($"xks store {config.Name}: it exists in account {found.Value.AccountId}, not {config.Account}; delete it (citadel xks delete-store) or fix the file");
                continue;
            }
            else if (found.Value.UriPrefix != config.UriPrefix)
            {
                await store.ChangePrincipalTagsAsync(found.Value.PrincipalArn, [new Tag(XksNames.UriPrefixTag, config.UriPrefix)], [], XksNames.MaxTags, ct);
            }

            foreach (var credential in config.Credentials)
            {
                if (await store.FindAccessKeyAsync(credential.Id, ct) is null)
                {
                    Check(await admin.AddCredentialAsync(config.Name, credential.Id, credential.Secret, ct), config, problems);
                }
            }

            foreach (var key in config.Keys)
            {
                Check(await admin.AllowKeyAsync(config.Name, key.KeyId, key.ExternalKeyId, key.Usage, ct), config, problems);
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The configuration's XKS key stores could not be applied:\n  " + string.Join("\n  ", problems));
        }
    }

    private static bool Check<T>(Result<T> result, XksStoreConfig config, List<string> problems)
    {
        if (!result.IsSuccess)
        {
            problems.Add($"xks store {config.Name}: {result.Error!.Value.Message}");
        }

        return result.IsSuccess;
    }
}
