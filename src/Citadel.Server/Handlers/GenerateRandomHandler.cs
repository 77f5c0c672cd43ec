using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GenerateRandom: 1–1024 cryptographically secure random bytes.</summary>
internal static class GenerateRandomHandler
{
    public static KmsError? Admit(Caller caller, GenerateRandomRequest r) =>
        r.NumberOfBytes is null ? Errors.Validation("NumberOfBytes is required.") : null;

    public static KmsError? Check(Caller caller, GenerateRandomRequest r, KeyRecord? key) =>
        r.CustomKeyStoreId is not null
            ? new KmsError(KmsErrorCode.CustomKeyStoreNotFound, $"Custom key store {r.CustomKeyStoreId} does not exist. Custom key stores are not supported by this server.")
            : r.Recipient is not null ? Steps.RecipientUnsupported() : null;

    public static ValueTask<KmsError?> HandleAsync(RequestContext ctx, GenerateRandomRequest r, KeyRecord? key)
    {
        var random = RandomNumberGenerator.GetBytes(r.NumberOfBytes!.Value);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteBase64String("Plaintext"u8, random);
        json.WriteEndObject();
        CryptographicOperations.ZeroMemory(random);
        return ValueTask.FromResult<KmsError?>(null);
    }
}
