using Citadel.Core.Crypto;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Protocol;

namespace Citadel.Server.Kms;

/// <summary>A decrypted ciphertext: the plaintext (the caller wipes it), the key and the material version that opened it.</summary>
internal readonly record struct Opened(byte[] Plaintext, KeyRecord Key, string MaterialId);

/// <summary>Encryption and decryption under a key's material, shared by Encrypt, Decrypt, ReEncrypt and the data-key operations.</summary>
internal static class Ciphertexts
{
    /// <summary>Encrypts under the key's current material version.</summary>
    public static async ValueTask<(byte[] Blob, string MaterialId)> SealAsync(RequestContext ctx, KeyRecord key, IReadOnlyDictionary<string, string>? context, ReadOnlyMemory<byte> plaintext)
    {
        var blob = new byte[SymmetricCiphertext.Overhead + plaintext.Length];
        var materialId = await SealIntoAsync(ctx, key, context, plaintext, blob);
        return (blob, materialId);
    }

    /// <summary>As <see cref="SealAsync"/>, into <paramref name="blob"/> (<see cref="SymmetricCiphertext.Overhead"/> + plaintext length bytes); returns the material id.</summary>
    public static async ValueTask<string> SealIntoAsync(RequestContext ctx, KeyRecord key, IReadOnlyDictionary<string, string>? context, ReadOnlyMemory<byte> plaintext, Memory<byte> blob)
    {
        using var material = await ctx.Kms.Materials.AcquireAsync(key, key.CurrentMaterialVersion, ctx.Aborted)
            ?? throw new InvalidOperationException($"Key {key.Id} has no material version {key.CurrentMaterialVersion}.");
        SymmetricCiphertext.EncryptInto(material.Material, key.Id, key.CurrentMaterialVersion, context, plaintext.Span, blob.Span);
        return material.MaterialId;
    }

    /// <summary>
    /// Finds the key a ciphertext names, checks it against <paramref name="keyIdHint"/> when given,
    /// authorizes <paramref name="action"/> on it, checks its state, and decrypts.
    /// </summary>
    public static async ValueTask<Result<Opened>> OpenAsync(
        RequestContext ctx,
        byte[] blob,
        IReadOnlyDictionary<string, string>? context,
        string? keyIdHint,
        string? algorithm,
        string action)
    {
        if (!SymmetricCiphertext.TryReadHeader(blob, out var keyId, out var version))
        {
            return Errors.InvalidCiphertext();
        }

        KeyRecord? key;
        if (keyIdHint is not null)
        {
            var hinted = await KeyResolver.ResolveAsync(ctx, keyIdHint, allowAlias: true);
            if (!hinted.IsSuccess)
            {
                return hinted.Error.Value;
            }

            if (hinted.Value.Id != keyId)
            {
                return Errors.IncorrectKey();
            }

            key = hinted.Value;
        }
        else
        {
            key = await ctx.Kms.Keys.GetAsync(keyId, ctx.Aborted);
            if (key is null || key.Region != ctx.Region)
            {
                return Errors.CiphertextKeyInaccessible();
            }
        }

        ctx.ResourceKey = key;
        if (await ctx.Kms.Authorizer.AuthorizeKeyAsync(ctx, key, action) is { } denied)
        {
            return denied;
        }

        if (CheckEncryptionUse(ctx, key, algorithm) is { } refused)
        {
            return refused;
        }

        using var material = await ctx.Kms.Materials.AcquireAsync(key, version, ctx.Aborted);
        if (material is not { } handle)
        {
            return Errors.InvalidCiphertext();
        }

        var plaintext = SymmetricCiphertext.Decrypt(handle.Material, blob, context);
        if (plaintext is null)
        {
            return Errors.InvalidCiphertext();
        }

        return new Opened(plaintext, key, handle.MaterialId);
    }

    /// <summary>An encryption key that is enabled, used with SYMMETRIC_DEFAULT (or no algorithm named): state, usage, algorithm.</summary>
    public static KmsError? CheckEncryptionUse(RequestContext ctx, KeyRecord key, string? algorithm)
    {
        if (KeyStateRules.CheckCryptographicUse(key) is { } stateError)
        {
            return stateError;
        }

        if (key.Usage != KeyUsage.EncryptDecrypt)
        {
            return Errors.InvalidKeyUsage($"{key.Arn} key usage is {Core.WireNames.Of(key.Usage)} which is not valid for {ctx.Operation.Name}.");
        }

        if (algorithm is not null && algorithm != "SYMMETRIC_DEFAULT")
        {
            return Errors.InvalidKeyUsage($"Algorithm {algorithm} is incompatible with key spec {Core.WireNames.Of(key.Spec)}.");
        }

        return null;
    }
}
