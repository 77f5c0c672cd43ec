using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.Identity;
using Citadel.Storage;

namespace Citadel.Server.Hosting;

/// <summary>Creates or updates the identities a configuration file declares. Idempotent: a second start changes nothing.</summary>
internal static class ConfigApplier
{
    public static async Task ApplyAsync(ConfigFile config, IStore store, ISeal seal, TimeProvider time, CancellationToken ct)
    {
        var admin = new IdentityAdmin(store, seal, time);
        var problems = new List<string>();
        foreach (var account in config.Accounts)
        {
            await store.CreateAccountAsync(account.Id, time.GetUtcNow(), ct);
            foreach (var key in account.RootAccessKeys)
            {
                Check(await admin.CreateAccessKeyAsync($"arn:aws:iam::{account.Id}:root", ct, key.Id, key.Secret), problems);
            }

            foreach (var (principals, type) in new[] { (account.Users, PrincipalType.IamUser), (account.Roles, PrincipalType.AssumedRole) })
            {
                foreach (var principal in principals)
                {
                    // Found by name as the IAM API finds it: one created there may have a path in its ARN.
                    var arn = type == PrincipalType.IamUser ? PrincipalRecord.UserArn(account.Id, principal.Name) : PrincipalRecord.RoleArn(account.Id, principal.Name);
                    if (await store.FindIamEntityAsync(account.Id, type, principal.Name, ct) is { } existing)
                    {
                        arn = existing.Principal.Arn;
                    }
                    else
                    {
                        Check(await admin.CreatePrincipalAsync(account.Id, principal.Name, type, ct), problems);
                    }

                    foreach (var key in principal.AccessKeys)
                    {
                        Check(await admin.CreateAccessKeyAsync(arn, ct, key.Id, key.Secret), problems);
                    }

                    foreach (var policy in principal.Policies)
                    {
                        Check(await admin.AttachPolicyAsync(arn, policy.Name, policy.Document, ct), problems);
                    }

                    if (principal.TrustPolicy is not null || principal.MaxSessionDuration is not null)
                    {
                        Check(await admin.SetRoleAsync(arn, principal.TrustPolicy, principal.MaxSessionDuration, ct), problems);
                    }
                }
            }
        }

        foreach (var service in config.Services)
        {
            if (await store.GetPrincipalAsync(service.Name, ct) is null)
            {
                Check(await admin.CreateServiceAsync(service.Name, ct), problems);
            }

            foreach (var key in service.AccessKeys)
            {
                Check(await admin.CreateAccessKeyAsync(service.Name, ct, key.Id, key.Secret), problems);
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The configuration's identities could not be applied:\n  " + string.Join("\n  ", problems));
        }
    }

    private static void Check<T>(Core.Errors.Result<T> result, List<string> problems)
    {
        if (!result.IsSuccess)
        {
            problems.Add(result.Error.Value.Message);
        }
    }
}
