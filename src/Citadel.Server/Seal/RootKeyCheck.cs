using System.Security.Cryptography;
using Citadel.Core.Crypto;
using Citadel.Core.Identity;
using Citadel.Server.SigV4;
using Citadel.Storage;

namespace Citadel.Server.Seal;

/// <summary>
/// Proves at start that the seal holds the root key the store was sealed with, before anything is read
/// or written under it. A server given another key file or HSM key would otherwise start, fail every
/// request, and seal what it writes (the configuration's access keys) under the wrong key. The proof is a
/// constant sealed under the root key and stored once (the key check value); a store from before the
/// check has none, and the first start that unseals one of its access-key secrets writes it.
/// </summary>
internal static class RootKeyCheck
{
    private static readonly byte[] Constant = "Citadel root key check value, version 1"u8.ToArray();

    private static ReadOnlySpan<byte> AssociatedData => "citadel/root-key-check/v1"u8;

    /// <summary>
    /// Opens the configured seal and checks it against <paramref name="store"/>. A server's start
    /// (<paramref name="start"/>) may create the root key file or PKCS#11 key of a store that has nothing
    /// sealed, and stores the check value; an administration command does neither.
    /// </summary>
    /// <returns>The seal, and the root key file when this call created it.</returns>
    /// <remarks>
    /// While a root key rotation is under way, the seal returned seals under its new root key and unseals
    /// under either (<see cref="SealRing"/>); with <paramref name="withRotation"/> false (`citadel rekey`,
    /// which opens the new key itself) it holds the configured key alone.
    /// </remarks>
    public static async Task<(SealRing Seal, string? CreatedKeyFile)> OpenAsync(
        IStore store, string storeLocation, string dataDirectory, string? rootKeyFile, Pkcs11SealOptions? pkcs11, bool start, TimeProvider time, CancellationToken ct, bool withRotation = true)
    {
        var check = await store.GetRootKeyCheckAsync(ct);
        var accessKeys = check is null ? await store.ListAccessKeysAsync(null, ct) : [];
        var holdsSealedData = check is not null || accessKeys.Count > 0;
        var keyFile = Path.GetFullPath(rootKeyFile ?? Path.Combine(dataDirectory, "root.key"));
        var described = Describe(keyFile, pkcs11);
        if (pkcs11 is null && !File.Exists(keyFile) && !Directory.Exists(keyFile))
        {
            if (holdsSealedData)
            {
                throw new InvalidOperationException($"{described} does not exist, but the data in {storeLocation} was sealed with a root key: restore that file from backup; nothing was changed.");
            }

            if (!start)
            {
                throw new InvalidOperationException($"{described} does not exist: start a server on this data directory first (it creates the root key), or pass --root-key-file.");
            }
        }

        var seal = SealFactory.Open(dataDirectory, rootKeyFile, pkcs11 is null ? null : pkcs11 with { CreateKey = pkcs11.CreateKey && start && !holdsSealedData }, out var created);
        try
        {
            var proven = check is not null
                ? Proves(seal, check)
                : accessKeys.Count == 0 || accessKeys.Any(key => Unseals(seal, key));
            if (proven && check is null && start
                && await store.PutRootKeyCheckAsync(Create(seal), time.GetUtcNow(), ct) == StoreOutcome.AlreadyExists)
            {
                // Another node sharing the store wrote it first: it must be our key too.
                proven = Proves(seal, (await store.GetRootKeyCheckAsync(ct))!);
            }

            if (!proven)
            {
                var interrupted = pkcs11 is null && File.Exists(keyFile + Rekeyer.NextSuffix)
                    ? $" A root key rotation finished in the store but not on disk: run citadel rekey to put {keyFile + Rekeyer.NextSuffix} in place."
                    : "";
                throw new InvalidOperationException($"{described} is not the root key the data in {storeLocation} was sealed with: start with that key (restore it from backup); nothing was changed.{interrupted}");
            }

            var ring = new SealRing(seal);
            if (withRotation && await store.GetRootKeyRotationAsync(ct) is { } rotation)
            {
                var next = RekeyTarget.TryOpen(rotation.Target, pkcs11);
                if (next is null || !Proves(next, rotation.TargetCheck))
                {
                    (next as IDisposable)?.Dispose();
                    throw new InvalidOperationException($"a root key rotation to {RekeyTarget.Describe(rotation.Target)} is under way (citadel rekey), and this process cannot open that key: run citadel rekey again to finish the rotation first; nothing was changed.");
                }

                ring.Rotate(next, rotation.Target);
            }

            return (ring, created);
        }
        catch
        {
            (seal as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The check value of <paramref name="seal"/>'s root key, as the store keeps it.</summary>
    internal static byte[] Create(ISeal seal) => seal.Seal(Constant, AssociatedData);

    /// <summary>How errors name a seal: the key file's path, or the PKCS#11 key and its token.</summary>
    internal static string Describe(string keyFile, Pkcs11SealOptions? pkcs11) =>
        pkcs11 is null ? $"the root key file {keyFile}" : $"the PKCS#11 key '{pkcs11.KeyLabel}' on token '{pkcs11.TokenLabel}'";

    /// <summary>Whether <paramref name="seal"/> holds the root key <paramref name="check"/> (a stored check value) was sealed under.</summary>
    internal static bool Proves(ISeal seal, byte[] check)
    {
        try
        {
            var constant = seal.Unseal(check, AssociatedData);
            return CryptographicOperations.FixedTimeEquals(constant, Constant);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool Unseals(ISeal seal, AccessKeyRecord accessKey)
    {
        try
        {
            CryptographicOperations.ZeroMemory(SecretSeal.Unseal(seal, accessKey.AccessKeyId, accessKey.SealedSecret));
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
