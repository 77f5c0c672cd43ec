using System.Globalization;
using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Server.Audit;
using Citadel.Server.Hosting;
using Citadel.Server.SigV4;
using Citadel.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Citadel.Server.Seal;

/// <summary>What `citadel rekey` rotates to: where the new root key goes, and how to create or open it.</summary>
/// <param name="Target">The target as the store records it (<see cref="RekeyTarget"/>).</param>
/// <param name="Open">Opens the new root key; with true, creates it when it does not exist yet.</param>
/// <param name="ReplacesKeyFile">For a key file rotated in place: the configured key file, which the new one (its ".next") replaces at the end; the old key is kept beside it as ".retired-&lt;time&gt;".</param>
internal sealed record RekeyPlan(string Target, Func<bool, ISeal> Open, string? ReplacesKeyFile);

/// <summary>
/// Root key rotation: re-wraps every sealed secret in the store (every key material version — symmetric,
/// HMAC, private keys, imported — and every access key secret) from the old root key to a new one.
/// The store records the rotation first (<see cref="IRootKeyStore.StartRootKeyRotationAsync"/>), so running
/// servers seal under the new key from then on and unseal under either (<see cref="RootKeyWatcher"/>),
/// and a second run after a kill resumes it: a secret the new key opens is done. Each secret is replaced
/// only if unchanged since it was read, in its own transaction, so at every moment each is under one
/// of the two keys. Passes repeat until one finds nothing under the old key; then the new check value
/// replaces the old in one transaction. Ciphertexts are bound to key material, not the root key, so
/// every ciphertext still decrypts.
/// </summary>
internal sealed class Rekeyer(IStore store, ISeal configured, TextWriter progress, TimeProvider time)
{
    public const string NextSuffix = ".next";

    private const int PageSize = 256;

    private const int ProgressEvery = 100;

    /// <summary>Passes after the first before giving up on secrets that keep appearing under the old key.</summary>
    private const int MaxPasses = 10;

    /// <summary>How long to wait for running servers to seal under the new key; tests shorten it.</summary>
    public TimeSpan Grace { get; init; } = RootKeyWatcher.Grace;

    /// <summary>Runs or resumes the rotation; returns how many secrets it re-wrapped. Throws <see cref="InvalidOperationException"/> saying what to do.</summary>
    public async Task<long> RunAsync(RekeyPlan plan, CancellationToken ct)
    {
        var rotation = await store.GetRootKeyRotationAsync(ct);
        ISeal target;
        if (rotation is null)
        {
            target = plan.Open(true);
            if (RootKeyCheck.Proves(configured, RootKeyCheck.Create(target)))
            {
                (target as IDisposable)?.Dispose();
                throw new InvalidOperationException($"{RekeyTarget.Describe(plan.Target)} is the root key in use already: name another one; nothing was changed.");
            }

            if (await store.StartRootKeyRotationAsync(new RootKeyRotation(plan.Target, RootKeyCheck.Create(target), time.GetUtcNow()), ct) != StoreOutcome.Success)
            {
                (target as IDisposable)?.Dispose();
                throw new InvalidOperationException("another citadel rekey started a rotation meanwhile: let it finish, or run citadel rekey again to resume it.");
            }

            await progress.WriteLineAsync($"rekey: rotation to {RekeyTarget.Describe(plan.Target)} recorded; running servers seal under it within {Grace.TotalSeconds:0} s");
            await Task.Delay(Grace, time, ct);
        }
        else
        {
            if (rotation.Target != plan.Target)
            {
                throw new InvalidOperationException($"a rotation to {RekeyTarget.Describe(rotation.Target)} is under way since {rotation.StartedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}: run citadel rekey with the options that started it to finish it first; nothing was changed.");
            }

            target = plan.Open(false);
            if (!RootKeyCheck.Proves(target, rotation.TargetCheck))
            {
                (target as IDisposable)?.Dispose();
                throw new InvalidOperationException($"{RekeyTarget.Describe(plan.Target)} is not the root key the rotation under way started with: restore it, then run citadel rekey again; nothing was changed.");
            }

            await progress.WriteLineAsync($"rekey: resuming the rotation to {RekeyTarget.Describe(plan.Target)} started {rotation.StartedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
        }

        try
        {
            long total = 0;
            for (var pass = 0; ; pass++)
            {
                var rewrapped = await PassAsync(target, ct);
                total += rewrapped;
                if (rewrapped == 0)
                {
                    break;
                }

                if (pass == MaxPasses)
                {
                    throw new InvalidOperationException($"secrets keep appearing under the old root key after {MaxPasses} passes: a server that cannot open {RekeyTarget.Describe(plan.Target)} is still sealing under the old one. Stop it (its log says so), then run citadel rekey again.");
                }
            }

            await FinishAsync(plan, ct);
            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rekey: done: {total} secrets re-wrapped; every sealed secret is under the new root key"));
            return total;
        }
        finally
        {
            (target as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Finishes a rotation a kill interrupted between the store's switch and the key file's: the store's
    /// check value is the new key's, which is still at "&lt;key file&gt;.next". Returns whether it did.
    /// </summary>
    public static async Task<bool> FinishInterruptedSwapAsync(IStore store, string keyFile, TextWriter progress, TimeProvider time, CancellationToken ct)
    {
        var next = keyFile + NextSuffix;
        if (!File.Exists(next) || await store.GetRootKeyRotationAsync(ct) is not null || await store.GetRootKeyCheckAsync(ct) is not { } check)
        {
            return false;
        }

        using (var seal = FileSeal.OpenOrCreate(next, out _))
        {
            if (!RootKeyCheck.Proves(seal, check))
            {
                return false;
            }
        }

        RetireKeyFile(keyFile, time);
        File.Move(next, keyFile, overwrite: true);
        await progress.WriteLineAsync($"rekey: finished the interrupted rotation: {keyFile} is the new root key");
        return true;
    }

    /// <summary>Records the rotation in the audit trail: one service event per account, on a chain of this command's own.</summary>
    public static async Task AuditAsync(OpenedStore opened, string journalDirectory, string target, long rewrapped, TimeProvider time, CancellationToken ct)
    {
        var options = new AuditOptions { ChainId = $"rekey-{Environment.MachineName}-{Guid.NewGuid():N}", JournalDirectory = journalDirectory };
        var store = opened.Store;
        using var writer = new AuditWriter(opened.Audit, options, NullLogger<AuditWriter>.Instance, opened.Journal);
        await writer.StartAsync(ct);
        try
        {
            foreach (var account in await store.ListAccountsAsync(ct))
            {
                var now = time.GetUtcNow();
                await writer.RecordAsync(new AuditEvent
                {
                    EventName = "RotateRootKey",
                    EventTime = now,
                    EventId = Guid.CreateVersion7(now),
                    EventType = "AwsServiceEvent",
                    AccountId = account,
                    Region = "us-east-1",
                    ReadOnly = false,
                    AdditionalEventData = string.Create(CultureInfo.InvariantCulture, $$"""{"rootKey":"{{System.Text.Json.JsonEncodedText.Encode(RekeyTarget.Describe(target)).Value}}","secretsRewrapped":{{rewrapped}}}"""),
                });
            }
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }

    private async Task<long> PassAsync(ISeal target, CancellationToken ct)
    {
        long rewrapped = 0;
        foreach (var kind in (SealedSecretKind[])[SealedSecretKind.KeyMaterial, SealedSecretKind.AccessKeySecret, SealedSecretKind.XksProxySecret])
        {
            string? afterId = null;
            var afterVersion = 0;
            while (true)
            {
                var page = await store.ListSealedSecretsAsync(kind, afterId, afterVersion, PageSize, ct);
                foreach (var secret in page)
                {
                    if (await RewrapAsync(secret, target, ct))
                    {
                        if (++rewrapped % ProgressEvery == 0)
                        {
                            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rekey: {rewrapped} secrets re-wrapped"));
                        }
                    }
                }

                if (page.Count < PageSize)
                {
                    break;
                }

                (afterId, afterVersion) = (page[^1].Id, page[^1].Version);
            }
        }

        return rewrapped;
    }

    /// <summary>Re-wraps one secret unless the new key opens it already; false when it was done, or changed meanwhile (the next pass sees it).</summary>
    private async Task<bool> RewrapAsync(SealedSecret secret, ISeal target, CancellationToken ct)
    {
        var associatedData = AssociatedData(secret);
        byte[] plaintext;
        try
        {
            CryptographicOperations.ZeroMemory(target.Unseal(secret.Sealed, associatedData));
            return false;
        }
        catch (CryptographicException)
        {
            try
            {
                plaintext = configured.Unseal(secret.Sealed, associatedData);
            }
            catch (CryptographicException)
            {
                throw new InvalidOperationException($"{Describe(secret)} opens under neither root key: it was damaged or sealed under another key. Restore it from backup; the rotation stays under way, and both keys stay usable.");
            }
        }

        try
        {
            return await store.ReplaceSealedSecretAsync(secret, target.Seal(plaintext, associatedData), ct) == StoreOutcome.Success;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private async Task FinishAsync(RekeyPlan plan, CancellationToken ct)
    {
        if (plan.ReplacesKeyFile is { } keyFile)
        {
            RetireKeyFile(keyFile, time);
        }

        if (await store.FinishRootKeyRotationAsync(time.GetUtcNow(), ct) != StoreOutcome.Success)
        {
            throw new InvalidOperationException("the rotation was finished by another citadel rekey meanwhile; nothing more to do.");
        }

        if (plan.ReplacesKeyFile is { } replaced)
        {
            File.Move(replaced + NextSuffix, replaced, overwrite: true);
        }
    }

    /// <summary>Keeps the old root key file beside the new one (0600), for secrets a server that never learned of the rotation may still seal under it; delete it once no server runs with it.</summary>
    private static void RetireKeyFile(string keyFile, TimeProvider time)
    {
        var retired = string.Create(CultureInfo.InvariantCulture, $"{keyFile}.retired-{time.GetUtcNow().UtcDateTime:yyyyMMddTHHmmssZ}");
        if (File.Exists(retired))
        {
            return;
        }

        var bytes = File.ReadAllBytes(keyFile);
        try
        {
            using var stream = new FileStream(retired, OwnerOnly.Options(FileMode.CreateNew, FileAccess.Write));
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static byte[] AssociatedData(SealedSecret secret) => secret.Kind switch
    {
        SealedSecretKind.KeyMaterial => MaterialProtector.AssociatedData(secret.Binding, secret.Version),
        SealedSecretKind.XksProxySecret => CustomKeyStores.CustomKeyStoreService.AssociatedData(secret.Binding),
        _ => SecretSeal.AssociatedData(secret.Binding),
    };

    private static string Describe(SealedSecret secret) => secret.Kind switch
    {
        SealedSecretKind.KeyMaterial => string.Create(CultureInfo.InvariantCulture, $"key material version {secret.Version} of {secret.Binding}"),
        SealedSecretKind.XksProxySecret => $"the XKS proxy secret of custom key store {secret.Binding}",
        _ => $"the secret of access key {secret.Binding}",
    };
}
