using System.Security.Cryptography;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>GenerateDataKey and GenerateDataKeyWithoutPlaintext: a random data key, returned encrypted under the KMS key (and in plaintext for the former).</summary>
internal static class GenerateDataKeyHandler
{
    public static KmsError? Admit(Caller caller, GenerateDataKeyRequest r) =>
        (r.NumberOfBytes is null) == (r.KeySpec is null) ? Errors.Validation("Please specify either number of bytes or key spec.")
        : r.Recipient is not null ? Steps.RecipientUnsupported()
        : null;

    public static KmsError? Check(Caller caller, GenerateDataKeyRequest r, KeyRecord? key) => Steps.CheckDataKeyEncryption(key!);

    public static ValueTask<Result<GenerateDataKeyResponse>> WithPlaintextAsync(KmsRuntime kms, GenerateDataKeyRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        GenerateAsync(kms, r, caller, key!, includePlaintext: true, ct);

    public static ValueTask<Result<GenerateDataKeyResponse>> WithoutPlaintextAsync(KmsRuntime kms, GenerateDataKeyRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        GenerateAsync(kms, r, caller, key!, includePlaintext: false, ct);

    /// <summary>The data key in the response is wiped once the protocol has written it (here, if sealing fails).</summary>
    private static async ValueTask<Result<GenerateDataKeyResponse>> GenerateAsync(KmsRuntime kms, GenerateDataKeyRequest r, Caller caller, KeyRecord key, bool includePlaintext, CancellationToken ct)
    {
        var length = r.NumberOfBytes ?? (r.KeySpec == "AES_128" ? 16 : 32);
        var dataKey = RandomNumberGenerator.GetBytes(length);
        try
        {
            var sealedKey = await Ciphertexts.SealAsync(kms, caller, key, r.EncryptionContext, dataKey, ct);
            if (!sealedKey.IsSuccess)
            {
                CryptographicOperations.ZeroMemory(dataKey);
                return sealedKey.Error.Value;
            }

            var (blob, materialId) = sealedKey.Value;
            return new GenerateDataKeyResponse(blob, dataKey, includePlaintext, key.Arn, materialId);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(dataKey);
            throw;
        }
    }
}
