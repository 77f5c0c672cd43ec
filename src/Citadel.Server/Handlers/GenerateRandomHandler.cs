using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GenerateRandom: 1–1024 cryptographically secure random bytes.</summary>
internal static class GenerateRandomHandler
{
    public static async ValueTask<KmsError?> HandleAsync(RequestContext ctx, GenerateRandomRequest r)
    {
        if (r.NumberOfBytes is not { } count)
        {
            return Errors.Validation("NumberOfBytes is required.");
        }

        if (await ctx.Kms.Authorizer.AuthorizeIdentityAsync(ctx, ctx.Operation.Action) is { } denied)
        {
            return denied;
        }

        if (r.CustomKeyStoreId is not null)
        {
            return new KmsError(KmsErrorCode.CustomKeyStoreNotFound, $"Custom key store {r.CustomKeyStoreId} does not exist. Custom key stores are not supported by this server.");
        }

        if (r.Recipient is not null)
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, "Recipient (AWS Nitro Enclaves attestation) is not supported by this server.");
        }

        var random = RandomNumberGenerator.GetBytes(count);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteBase64String("Plaintext"u8, random);
        json.WriteEndObject();
        CryptographicOperations.ZeroMemory(random);
        return null;
    }
}
