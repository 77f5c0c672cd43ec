using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Crypto.Import;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Storage;
using Microsoft.Extensions.Logging;

namespace Citadel.Server.Seeding;

/// <summary>
/// Creates the keys of a seed file. Idempotent: a key that exists with the same material (compared by
/// key-material id) is left as it is, so a restart with the same file changes nothing, and changes made
/// through the API since are kept. A key that exists with other material, another spec, usage, origin,
/// account or region, or an alias that names another key, is an error naming them: nothing is ever
/// overwritten. A key whose material versions are a prefix of the file's (a start interrupted while
/// seeding) gets the missing versions.
/// </summary>
internal static class SeedApplier
{
    public static async Task ApplyAsync(SeedFile file, IStore store, ISeal seal, TimeProvider time, ILogger logger, CancellationToken ct)
    {
        var problems = new List<string>();
        int created = 0, unchanged = 0;
        foreach (var seed in file.Keys)
        {
            var now = time.GetUtcNow();
            await store.CreateAccountAsync(seed.AccountId, now, ct);
            var ids = seed.Materials.Select(m => ImportedMaterial.IdOf(seed.Id, m)).ToList();
            var existing = await store.GetKeyAsync(seed.Id, ct);
            if (existing is null)
            {
                await CreateAsync(store, seal, seed, ids, now, ct);
                if (logger.IsEnabled(LogLevel.Information))
                {
                    logger.SeededKey(file.Path, Arns.Key(seed.Region, seed.AccountId, seed.Id));
                }

                created++;
            }
            else if (await CheckExistingAsync(store, seal, seed, existing, ids, now, ct) is { } problem)
            {
                problems.Add(problem);
                continue;
            }
            else
            {
                unchanged++;
            }

            foreach (var alias in seed.Aliases)
            {
                var current = await store.GetAliasAsync(seed.AccountId, seed.Region, alias, ct);
                if (current is null)
                {
                    await store.CreateAliasAsync(new AliasRecord(seed.AccountId, seed.Region, alias, seed.Id, now, now), ct);
                    if (logger.IsEnabled(LogLevel.Information))
                    {
                        logger.SeededAlias(file.Path, alias, Arns.Key(seed.Region, seed.AccountId, seed.Id));
                    }

                }
                else if (current.TargetKeyId != seed.Id)
                {
                    problems.Add($"Alias {alias} of key {seed.Id} already exists and points to key {current.TargetKeyId}; the seed file does not move it.");
                }
            }
        }

        foreach (var material in file.Keys.SelectMany(k => k.Materials))
        {
            CryptographicOperations.ZeroMemory(material);
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The seed file {file.Path} conflicts with the keys already stored:\n  " + string.Join("\n  ", problems));
        }

        logger.Seeded(file.Path, created, unchanged);
    }

    private static async Task CreateAsync(IStore store, ISeal seal, SeedKey seed, List<string> ids, DateTimeOffset now, CancellationToken ct)
    {
        var count = seed.Materials.Count;
        var key = new KeyRecord
        {
            Id = seed.Id,
            AccountId = seed.AccountId,
            Region = seed.Region,
            CreatedAt = now,
            State = count == 0 ? KeyState.PendingImport : seed.Enabled ? KeyState.Enabled : KeyState.Disabled,
            Description = seed.Description,
            Spec = seed.Spec,
            Usage = seed.Usage,
            Origin = seed.Origin,
            Manager = KeyManager.Customer,
            Policy = seed.Policy ?? DefaultKeyPolicy.For(seed.AccountId),
            CurrentMaterialVersion = count,
            CurrentKeyMaterialId = count == 0 ? "" : ids[^1],
            RotationEnabled = seed.RotationPeriodInDays is not null,
            RotationPeriodInDays = seed.RotationPeriodInDays,
            NextRotationAt = seed.RotationPeriodInDays is { } period ? now.AddDays(period) : null,
            PrimaryRegion = seed.Id.IsMultiRegion ? seed.Region : null,
        };

        var outcome = await store.CreateKeyAsync(key, count == 0 ? null : Version(seal, seed, key, ids, 1, now), seed.Tags, ct);
        if (outcome != StoreOutcome.Success)
        {
            throw new InvalidOperationException($"Seeding could not create key {seed.Id}: {outcome}.");
        }

        await AddVersionsAsync(store, seal, seed, (await store.GetKeyAsync(seed.Id, ct))!, ids, 2, now, ct);
    }

    private static async Task<string?> CheckExistingAsync(IStore store, ISeal seal, SeedKey seed, KeyRecord existing, List<string> ids, DateTimeOffset now, CancellationToken ct)
    {
        if (existing.AccountId != seed.AccountId || existing.Region != seed.Region || existing.Spec != seed.Spec || existing.Usage != seed.Usage || existing.Origin != seed.Origin)
        {
            return $"Key {seed.Id} already exists as {Core.WireNames.Of(existing.Spec)} {Core.WireNames.Of(existing.Usage)} {Core.WireNames.Of(existing.Origin)} in {existing.AccountId}/{existing.Region}, " +
                $"but the seed file describes {Core.WireNames.Of(seed.Spec)} {Core.WireNames.Of(seed.Usage)} {Core.WireNames.Of(seed.Origin)} in {seed.AccountId}/{seed.Region}; it is not overwritten.";
        }

        var stored = (await store.ListMaterialsAsync(seed.Id, ct)).Select(m => m.MaterialId).ToList();
        if (stored.Count > ids.Count || !stored.SequenceEqual(ids.Take(stored.Count), StringComparer.Ordinal))
        {
            return $"Key {seed.Id} already exists with different key material than the seed file gives; it is not overwritten.";
        }

        await AddVersionsAsync(store, seal, seed, existing, ids, stored.Count + 1, now, ct);
        return null;
    }

    private static async Task AddVersionsAsync(IStore store, ISeal seal, SeedKey seed, KeyRecord key, List<string> ids, int from, DateTimeOffset now, CancellationToken ct)
    {
        if (from > ids.Count)
        {
            return;
        }

        var versions = Enumerable.Range(from, ids.Count - from + 1).Select(v => Version(seal, seed, key, ids, v, now)).ToList();
        var outcome = await store.UpdateKeyMaterialsAsync(key with { CurrentMaterialVersion = ids.Count, CurrentKeyMaterialId = ids[^1] }, versions, [], ct);
        if (outcome != StoreOutcome.Success)
        {
            throw new InvalidOperationException($"Seeding could not add the material versions of key {seed.Id}: {outcome}.");
        }
    }

    private static KeyMaterialRecord Version(ISeal seal, SeedKey seed, KeyRecord key, List<string> ids, int version, DateTimeOffset now)
    {
        var record = new KeyMaterialRecord(
            seed.Id,
            version,
            ids[version - 1],
            MaterialProtector.Protect(seal, key.Arn, version, seed.Materials[version - 1]),
            now,
            version == 1 ? MaterialOrigin.Created : seed.Origin == KeyOrigin.External ? MaterialOrigin.OnDemandRotation : MaterialOrigin.AutomaticRotation);
        return seed.Origin == KeyOrigin.External
            ? record with { ImportState = MaterialImportState.Imported, ExpirationModel = ExpirationModel.KeyMaterialDoesNotExpire }
            : record;
    }
}
