using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

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

    /// <summary>The random bytes in the response are wiped once the protocol has written them.</summary>
    public static ValueTask<Result<GenerateRandomResponse>> GenerateRandomAsync(KmsRuntime kms, GenerateRandomRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        ValueTask.FromResult<Result<GenerateRandomResponse>>(new GenerateRandomResponse(RandomNumberGenerator.GetBytes(r.NumberOfBytes!.Value)));
}
