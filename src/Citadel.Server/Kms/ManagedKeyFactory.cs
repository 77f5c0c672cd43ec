using System.Collections.Concurrent;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Keys;
using Citadel.Storage;

namespace Citadel.Server.Kms;

/// <summary>
/// Creates an account's AWS managed key for a service on first use of alias/aws/&lt;service&gt;: fixed
/// policy, AWS's description, KeyManager AWS, yearly rotation, and the alias — as AWS does when a
/// service (or DescribeKey) first names the predefined alias.
/// </summary>
internal sealed class ManagedKeyFactory(KeyRepository keys, AliasRepository aliases, ISeal seal, KmsOptions options)
{
    private readonly ConcurrentDictionary<(string Account, string Region, string Alias), SemaphoreSlim> _locks = new();

    public async Task<KeyRecord?> GetOrCreateAsync(string accountId, string region, ManagedService service, DateTimeOffset now, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd((accountId, region, service.AliasName), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (await keys.GetAliasAsync(accountId, region, service.AliasName, ct) is { } existing)
            {
                return await keys.GetAsync(existing.TargetKeyId, ct);
            }

            var key = new KeyRecord
            {
                Id = KeyId.New(),
                AccountId = accountId,
                Region = region,
                CreatedAt = now,
                State = KeyState.Enabled,
                Description = ManagedKeys.Description(service),
                Manager = KeyManager.Aws,
                Policy = ManagedKeys.Policy(service, accountId, region),
                CurrentMaterialVersion = 1,
                CurrentKeyMaterialId = MaterialProtector.NewMaterialId(),
                RotationEnabled = true,
                RotationPeriodInDays = options.AwsManagedKeyRotationDays,
                NextRotationAt = now.AddDays(options.AwsManagedKeyRotationDays),
            };
            var material = RandomNumberGenerator.GetBytes(32);
            KeyMaterialRecord record;
            try
            {
                record = new KeyMaterialRecord(key.Id, 1, key.CurrentKeyMaterialId, MaterialProtector.Protect(seal, key.Arn, 1, material), now, MaterialOrigin.Created);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(material);
            }

            if (await keys.CreateAsync(key, record, [], ct) != StoreOutcome.Success)
            {
                return null;
            }

            var outcome = await aliases.CreateAsync(new AliasRecord(accountId, region, service.AliasName, key.Id, now, now), ct);
            if (outcome == StoreOutcome.AlreadyExists)
            {
                // Another node created it first: use theirs, drop ours.
                await keys.DeleteAsync((await keys.GetAsync(key.Id, ct))!, ct);
                var theirs = await keys.GetAliasAsync(accountId, region, service.AliasName, ct);
                return theirs is null ? null : await keys.GetAsync(theirs.TargetKeyId, ct);
            }

            return key with { RowVersion = 1 };
        }
        finally
        {
            gate.Release();
        }
    }
}
