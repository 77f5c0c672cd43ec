using System.Globalization;
using Citadel.Core.Crypto;
using Citadel.Server.Hosting;
using Citadel.Storage;

namespace Citadel.Server.Seal;

/// <summary>What `citadel rekey` was asked: the deployment and its configured seal, and the seal to rotate to.</summary>
/// <param name="DataDirectory">The data directory (SQLite database, default root key file, audit journals).</param>
/// <param name="RootKeyFile">The configured root key file, if not &lt;data directory&gt;/root.key.</param>
/// <param name="PostgresConnectionString">The database of a PostgreSQL deployment, or null for SQLite.</param>
/// <param name="Pkcs11">The configured PKCS#11 seal, or null for a key file.</param>
/// <param name="ToSeal">file or pkcs11; null rotates within the configured kind.</param>
/// <param name="NewRootKeyFile">For --to-seal file from PKCS#11: where to create the new key file.</param>
/// <param name="TargetPkcs11">For --to-seal pkcs11 from a key file: the token and key to create; from PKCS#11, its key label names the new key.</param>
public sealed record RekeyRequest(
    string DataDirectory, string? RootKeyFile, string? PostgresConnectionString, Pkcs11SealOptions? Pkcs11,
    string? ToSeal, string? NewRootKeyFile, Pkcs11SealOptions? TargetPkcs11);

/// <summary>`citadel rekey`: opens the deployment, plans the rotation, runs or resumes it, and audits it.</summary>
public static class RekeyRunner
{
    /// <summary>Runs the rotation on the deployment's store (<paramref name="storage"/>, which the CLI chose); throws <see cref="InvalidOperationException"/> saying what to do.</summary>
    public static async Task RunAsync(RekeyRequest request, IStorageProvider storage, TextWriter progress, CancellationToken ct)
    {
        var time = TimeProvider.System;
        var configuredKind = request.Pkcs11 is null ? "file" : "pkcs11";
        var toSeal = request.ToSeal ?? configuredKind;
        var dataDirectory = Path.GetFullPath(request.DataDirectory);
        var keyFile = Path.GetFullPath(request.RootKeyFile ?? Path.Combine(dataDirectory, "root.key"));

        // Moving to another kind of seal is done with the servers stopped: a server on a key file cannot
        // open a PKCS#11 key it has no PIN for. On a single node's store the data directory's lock makes sure.
        using var held = toSeal != configuredKind && storage.SingleNode ? DataDirectoryLock.Acquire(dataDirectory, time.GetUtcNow()) : null;
        await using var opened = storage.Open(new StorageLocation(dataDirectory) { ConnectionString = request.PostgresConnectionString });
        var store = opened.Store;
        await store.MigrateAsync(ct);
        if (request.Pkcs11 is null && await Rekeyer.FinishInterruptedSwapAsync(store, keyFile, progress, time, ct))
        {
            return;
        }

        var (seal, _) = await RootKeyCheck.OpenAsync(store, opened.Location, dataDirectory, request.RootKeyFile, request.Pkcs11, start: false, time, ct, withRotation: false);
        using (seal)
        {
            var plan = Plan(request, toSeal, keyFile, dataDirectory, await store.GetRootKeyRotationAsync(ct), time);
            var rewrapped = await new Rekeyer(store, seal, progress, time).RunAsync(plan, ct);
            await Rekeyer.AuditAsync(opened, Path.Combine(dataDirectory, JournalSegments.JournalDirectoryName), plan.Target, rewrapped, time, ct);
            await progress.WriteLineAsync(Advice(request, plan, keyFile));
        }
    }

    private static RekeyPlan Plan(RekeyRequest request, string toSeal, string keyFile, string dataDirectory, RootKeyRotation? underWay, TimeProvider time)
    {
        if (toSeal == "file")
        {
            // In place: the new key is created beside the configured one and replaces it at the end.
            var path = request.Pkcs11 is null ? keyFile + Rekeyer.NextSuffix : Path.GetFullPath(request.NewRootKeyFile ?? Path.Combine(dataDirectory, "root.key"));
            return new RekeyPlan(RekeyTarget.File(path), create => OpenFile(path, create), request.Pkcs11 is null ? keyFile : null);
        }

        var options = request.Pkcs11 is { } configured
            ? configured with { KeyLabel = request.TargetPkcs11?.KeyLabel ?? UnderWayLabel(underWay, configured.TokenLabel) ?? string.Create(CultureInfo.InvariantCulture, $"{configured.KeyLabel}-{time.GetUtcNow().UtcDateTime:yyyyMMddHHmmss}") }
            : request.TargetPkcs11 ?? throw new InvalidOperationException("--to-seal pkcs11 needs the token: --pkcs11-library, --token and --pin (or CITADEL_PKCS11_PIN), and optionally --key-label.");
        return new RekeyPlan(RekeyTarget.Pkcs11(options), create => new Pkcs11Seal(options with { CreateKey = create }), null);
    }

    /// <summary>The key label of a PKCS#11 rotation under way on the token, so a second run resumes it without being told.</summary>
    private static string? UnderWayLabel(RootKeyRotation? underWay, string token) =>
        underWay?.Target.Split(':') is ["pkcs11", var t, var label] && t == token ? label : null;

    private static AesGcmSeal OpenFile(string path, bool create)
    {
        if (!create && !File.Exists(path))
        {
            throw new InvalidOperationException($"the new root key file {path} of the rotation under way is gone: restore it, then run citadel rekey again; nothing was changed.");
        }

        return FileSeal.OpenOrCreate(path, out _);
    }

    private static string Advice(RekeyRequest request, RekeyPlan plan, string keyFile) => (request.Pkcs11, plan.ReplacesKeyFile, plan.Target.Split(':')) switch
    {
        (null, not null, _) => $"rekey: {keyFile} is the new root key; the old one is kept beside it as {Path.GetFileName(keyFile)}.retired-<time>: keep it, apart from the data, as long as you keep backups taken before now, and delete it then.",
        (null, null, [_, var token, var label]) => $"rekey: set the configuration's seal to pkcs11 (token '{token}', keyLabel '{label}') before the next start; keep the old root key file {keyFile}, apart from the data, as long as you keep backups taken before now.",
        ({ } old, _, ["pkcs11", _, var label]) => $"rekey: set seal.keyLabel to '{label}' in the configuration before the next start; the old key '{old.KeyLabel}' stays in the token for backups taken before now.",
        ({ } old, _, _) => $"rekey: set seal.keyFile to {plan.Target["file:".Length..]} (and remove the pkcs11 settings) in the configuration before the next start; the old key '{old.KeyLabel}' stays in the token for backups taken before now.",
        _ => "rekey: done.",
    };
}
