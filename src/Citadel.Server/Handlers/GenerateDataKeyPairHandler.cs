using System.Security.Cryptography;
using Citadel.Core;
using Citadel.Core.Crypto.Asymmetric;
using Citadel.Core.Errors;
using Citadel.Core.Keys;
using Citadel.Server.Authorization;
using Citadel.Server.Kms;
using Citadel.Server.Protocol.Requests;
using Citadel.Server.Protocol.Responses;

namespace Citadel.Server.Handlers;

/// <summary>
/// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext: a fresh key pair for use outside the
/// service; the private key (PKCS#8 DER) comes back encrypted under a symmetric key as an ordinary
/// symmetric ciphertext, so Decrypt opens it (and in plaintext for the former); the public key as SPKI DER.
/// </summary>
internal static class GenerateDataKeyPairHandler
{
    public static KmsError? Admit(Caller caller, GenerateDataKeyPairRequest r) => r.Recipient is null ? null : Steps.RecipientUnsupported();

    public static void Facts(RequestFacts facts, GenerateDataKeyPairRequest r) => facts.DataKeyPairSpec = r.KeyPairSpec;

    public static KmsError? Check(Caller caller, GenerateDataKeyPairRequest r, KeyRecord? key) =>
        ExternalStoreKeys.CheckNoDataKeyPair(key!) ?? Steps.CheckDataKeyEncryption(key!);

    public static ValueTask<Result<GenerateDataKeyPairResponse>> WithPlaintextAsync(KmsRuntime kms, GenerateDataKeyPairRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        GenerateAsync(kms, r, caller, key!, includePlaintext: true, ct);

    public static ValueTask<Result<GenerateDataKeyPairResponse>> WithoutPlaintextAsync(KmsRuntime kms, GenerateDataKeyPairRequest r, Caller caller, KeyRecord? key, CancellationToken ct) =>
        GenerateAsync(kms, r, caller, key!, includePlaintext: false, ct);

    /// <summary>The private key in the response is wiped once the protocol has written it (here, if sealing fails).</summary>
    private static async ValueTask<Result<GenerateDataKeyPairResponse>> GenerateAsync(KmsRuntime kms, GenerateDataKeyPairRequest r, Caller caller, KeyRecord key, bool includePlaintext, CancellationToken ct)
    {
        _ = WireNames.TryParse(r.KeyPairSpec!, out KeySpec pairSpec);
        if (!KeyPairs.IsSupported(pairSpec))
        {
            return new KmsError(KmsErrorCode.UnsupportedOperation, $"KeyPairSpec {r.KeyPairSpec} is not supported by this server. SM2 is available only in AWS China Regions, and this server has no SM2 implementation it trusts.");
        }

        var privateKey = KeyPairs.Generate(pairSpec);
        try
        {
            var publicKey = KeyPairs.PublicKeyOf(pairSpec, privateKey);
            var sealedKey = await Ciphertexts.SealAsync(kms, caller, key, r.EncryptionContext, privateKey, ct);
            if (!sealedKey.IsSuccess)
            {
                CryptographicOperations.ZeroMemory(privateKey);
                return sealedKey.Error.Value;
            }

            var (blob, materialId) = sealedKey.Value;
            return new GenerateDataKeyPairResponse(blob, privateKey, includePlaintext, publicKey, key.Arn, r.KeyPairSpec!, materialId);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(privateKey);
            throw;
        }
    }
}
