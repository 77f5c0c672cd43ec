using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Server.Protocol;
using Citadel.Server.Protocol.Requests;

namespace Citadel.Server.Handlers;

/// <summary>GenerateRandom: 1–1024 cryptographically secure random bytes.</summary>
internal static class GenerateRandomHandler
{
    public static void Validate(GenerateRandomRequest r, ref Validation v)
    {
        v.Range(r.NumberOfBytes, "numberOfBytes", 1, 1024);
        v.Length(r.CustomKeyStoreId, "customKeyStoreId", 1, 64);
    }

    public static ValueTask<KmsError?> HandleAsync(RequestContext ctx, GenerateRandomRequest r)
    {
        if (r.NumberOfBytes is not { } count)
        {
            return ValueTask.FromResult<KmsError?>(Errors.Validation("NumberOfBytes is required."));
        }

        if (r.CustomKeyStoreId is not null)
        {
            return ValueTask.FromResult<KmsError?>(new KmsError(KmsErrorCode.CustomKeyStoreNotFound, $"Custom key store {r.CustomKeyStoreId} does not exist. Custom key stores are not supported by this server."));
        }

        if (r.Recipient is not null)
        {
            return ValueTask.FromResult<KmsError?>(new KmsError(KmsErrorCode.UnsupportedOperation, "Recipient (AWS Nitro Enclaves attestation) is not supported by this server."));
        }

        Span<byte> random = stackalloc byte[count];
        RandomNumberGenerator.Fill(random);
        var json = ctx.Json;
        json.WriteStartObject();
        json.WriteBase64String("Plaintext"u8, random);
        json.WriteEndObject();
        CryptographicOperations.ZeroMemory(random);
        return ValueTask.FromResult<KmsError?>(null);
    }
}
